import type { Router } from "express";
import type { Runtime } from "../runtime.ts";

/** Feature routers (JSON API, feeds…) built from the runtime's services, mounted by createApp. */
export function extraRouters(_runtime: Runtime): Router[] {
  return [];
}
