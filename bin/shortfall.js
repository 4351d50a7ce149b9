#!/usr/bin/env node
// `shortfall [embedded|server|worker]`: runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/app/main.ts');
