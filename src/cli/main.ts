import "../temporal.ts";
import { Command, CommanderError } from "commander";
import { type Config, ConfigError } from "../config/config.ts";
import { loadConfigFromProcess } from "../config/config-files.ts";
import { setupLogging } from "../logging.ts";
import { AppError, OperatorError } from "../shared/errors.ts";
import { visibleControls } from "../shared/plain-text.ts";
import { registerAdminCommands } from "./admin-commands.ts";
import { registerBlockCommands } from "./block-commands.ts";
import { registerCallCommands } from "./call-commands.ts";
import { registerCoorganiseCommands } from "./coorganise-commands.ts";
import { registerSloganCommands } from "./slogan-commands.ts";
import { registerActionKitCommands } from "./actionkit-commands.ts";
import { registerVerifyCommand } from "./cosign-commands.ts";
import { registerOutboxCommands } from "./outbox-commands.ts";
import { registerPartnerCommands } from "./partner-commands.ts";
import { registerProcessCommands } from "./process-commands.ts";
import { registerPressKitCommands } from "./presskit-commands.ts";
import { registerOpsCommands } from "./ops-commands.ts";
import { registerSeriesCommands } from "./series-commands.ts";
import { registerKeyCommands } from "./key-commands.ts";

export function buildProgram(config: () => Config): Command {
  const program = new Command()
    .name("relais")
    .description("Relais: federated mobilisation coordination for grassroots collectives")
    .showHelpAfterError()
    .exitOverride();
  registerProcessCommands(program, config);
  registerAdminCommands(program, config);
  registerOutboxCommands(program, config);
  registerPartnerCommands(program, config);
  registerBlockCommands(program, config);
  registerCallCommands(program, config);
  registerCoorganiseCommands(program, config);
  registerVerifyCommand(program);
  registerPressKitCommands(program, config);
  registerSloganCommands(program, config);
  registerActionKitCommands(program, config);
  registerOpsCommands(program, config);
  registerKeyCommands(program, config);
  registerSeriesCommands(program, config);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    // The configuration is read once, before any command runs (and not for --help).
    let config: Config | undefined;
    const program = buildProgram(() => {
      if (!config) throw new Error("configuration read before the command started");
      return config;
    });
    program.hook("preAction", async () => {
      config = loadConfigFromProcess();
      await setupLogging({ format: config.logFormat, level: config.logLevel });
    });
    await program.parseAsync(argv);
    // A command that reports a failing outcome on standard output (verify-signature) sets exitCode:
    // process.exit(0) below would otherwise override it.
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError || e instanceof OperatorError || e instanceof AppError) {
      process.stderr.write(`relais: ${visibleControls(e.message)}\n`);
      if (e instanceof AppError && e.details && e.details.length > 1) {
        for (const d of e.details) process.stderr.write(`  - ${visibleControls(`${d.field}: ${d.message}`)}\n`);
      }
      return e instanceof AppError && e.status === 404 ? 3 : 1;
    }
    const err = e as Error;
    if (err?.name === "EmbeddedPostgresError") {
      process.stderr.write(`relais: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`relais: unexpected error: ${err?.stack ?? String(e)}\n`);
    return 70;
  }
}

// Long-running commands (start, serve, worker) resolve only once they have shut down, so every
// command is finished here: exit without waiting for idle sockets or timers.
const code = await main(process.argv);
process.stdout.write("", () => process.exit(code));
