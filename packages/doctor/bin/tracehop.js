#!/usr/bin/env node
// The `tracehop` command: `tracehop doctor …` (see the package README).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
