import type { Command } from "commander";
import type { SetExitCode } from "./common.ts";
export function registerRetentionCommands(_program: Command, _setExitCode: SetExitCode): void {}
