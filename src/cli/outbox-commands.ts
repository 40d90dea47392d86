import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { OperatorError } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { withRuntime } from "./admin-commands.ts";

const out = (line: string) => process.stdout.write(`${line}\n`);

export function registerOutboxCommands(program: Command, config: () => Config): void {
  const outbox = program.command("outbox").description("see and retry activities the relay could not queue for delivery");
  outbox
    .command("failed")
    .description("list outbox rows that failed for good (id, kind, attempts, failed at, activity id, last error)")
    .action(() =>
      withRuntime(config(), async (r) => {
        const rows = await r.outbox.failed();
        if (rows.length === 0) out("no failed outbox rows");
        for (const row of rows) {
          out([row.id, row.kind, row.attempts, row.failedAt.toISOString(), visibleControls(row.activityId), visibleControls(row.lastError ?? "")].join("\t"));
        }
      }),
    );
  outbox
    .command("retry [id]")
    .description("send failed rows again: the one with this id, or all of them")
    .action((id: string | undefined) =>
      withRuntime(config(), async (r) => {
        if (id !== undefined && !/^[1-9][0-9]{0,18}$/.test(id)) throw new OperatorError(`"${visibleControls(id)}" is not an outbox row id (see relais outbox failed)`);
        const retried = await r.outbox.retryFailed(id);
        if (id !== undefined && retried === 0) throw new OperatorError(`no failed outbox row ${id} (see relais outbox failed)`);
        await r.relay.nudge();
        out(`${retried} row(s) retried`);
      }),
    );
}
