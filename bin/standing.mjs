#!/usr/bin/env node
// `standing <command>` (npx standing verify ...): runs the TypeScript CLI through tsx's loader, so
// there is no build step between the source and what operators run.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../connector/cli.ts', import.meta.url).href);
