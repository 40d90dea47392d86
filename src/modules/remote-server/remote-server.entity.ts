import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { timestamptz } from "../../shared/entity-properties.ts";

/**
 * What another server runs, as its NodeInfo says (`software.name`), cached per origin: some servers
 * get events in another form than others (FEDERATION.md, "Servers that do not show events").
 */
export const RemoteServerSchema = defineEntity({
  name: "RemoteServer",
  tableName: "remote_server",
  properties: {
    /** `https://host[:port]`, lower-case. */
    origin: p.text().primary(),
    /** NodeInfo's `software.name`, lower-case; null when NodeInfo could not be read. */
    software: p.text().nullable(),
    version: p.text().nullable(),
    checkedAt: timestamptz(),
  },
});
export type RemoteServer = InferEntity<typeof RemoteServerSchema>;
