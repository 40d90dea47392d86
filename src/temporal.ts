// Node 24 has no global Temporal yet; Fedify's code and types use the ambient one. Imported first by
// every entry point and by the test setup, before anything touches Fedify.
import { Temporal as TemporalPolyfill } from "@js-temporal/polyfill";

const g = globalThis as { Temporal?: unknown };
if (g.Temporal === undefined) g.Temporal = TemporalPolyfill;
