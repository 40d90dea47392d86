import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { backupEmbedded, describeSummary, restoreEmbedded } from "../ops/embedded-backup.ts";
import { moveToPostgres, withoutPassword } from "../ops/move-to-postgres.ts";
import { OperatorError } from "../shared/errors.ts";

const out = (line: string) => process.stdout.write(`${line}\n`);

/** These commands are about the embedded database; with DATABASE_URL the operator's PostgreSQL tools do it. */
function embeddedOnly(config: Config, what: string): void {
  if (config.databaseUrl) {
    throw new OperatorError(
      `DATABASE_URL is set: this instance runs on PostgreSQL, and relais ${what} works on the embedded database (RELAIS_DATA_DIR) only; use pg_dump / pg_restore (docs/operations.md, Backups)`,
    );
  }
}

export function registerOpsCommands(program: Command, config: () => Config): void {
  program
    .command("backup <file>")
    .description("write the embedded database (RELAIS_DATA_DIR) to a new file, keys included (while the server runs: through it, which pauses it for the copy)")
    .action(async (file: string) => {
      const c = config();
      embeddedOnly(c, "backup");
      const { bytes, summary, online } = await backupEmbedded(c.dataDir, file);
      out(`backed up ${describeSummary(summary)} to ${file} (${Math.ceil(bytes / 1024)} KiB)`);
      out(
        online
          ? "taken through the running server as a logical copy (one snapshot): relais restore reads it with this release or a newer one"
          : "taken from the stopped data folder as a copy of its files: relais restore reads it with this release (the same embedded PostgreSQL)",
      );
      out(`the file holds the collectives' private keys: keep it as safe as the server. Uploaded files are not in it: copy ${c.mediaDir} too`);
    });
  program
    .command("restore <file>")
    .description("make the embedded database of a new data folder (RELAIS_DATA_DIR) from a relais backup file")
    .action(async (file: string) => {
      const c = config();
      embeddedOnly(c, "restore");
      const { summary } = await restoreEmbedded(file, c.dataDir);
      out(`restored ${describeSummary(summary)} into ${c.dataDir}`);
      out(`start it with the same RELAIS_ORIGIN as before (the actors' ids are built from it); put the uploaded files back in ${c.mediaDir}`);
    });
  program
    .command("move-to-postgres <database-url>")
    .description("copy the embedded database (keys included) into an empty PostgreSQL database; the server must be stopped")
    .action(async (url: string) => {
      const c = config();
      embeddedOnly(c, "move-to-postgres");
      const result = await moveToPostgres(c.dataDir, url);
      for (const row of result.counts) out(`${row.table}\t${row.source}\t${row.target}`);
      const rows = result.counts.reduce((n, r) => n + r.target, 0);
      out(`copied ${rows} row(s) in ${result.counts.length} tables to ${withoutPassword(url)}; every count matches; ${result.migrations} migration(s), ${result.sequences} sequence(s)`);
      out("now:");
      out(`  - set DATABASE_URL=${withoutPassword(url)} (with its password) for every relais process, and start it with the same RELAIS_ORIGIN`);
      out("  - one process: relais start goes on as before. Several (relais serve + relais worker): set REDIS_URL too (a Redis with noeviction; docs/operations.md)");
      out(`  - uploaded files stay in ${c.mediaDir}: keep RELAIS_MEDIA_DIR (or RELAIS_DATA_DIR) pointing there, shared by every web process`);
      out(`  - the embedded database in ${c.dataDir} was left as it was: keep it until the instance runs well on PostgreSQL, then remove its pglite folder`);
    });
}
