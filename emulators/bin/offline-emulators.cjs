#!/usr/bin/env node
// Built by `npm run build -w @member-portal/emulators` (see scripts/bundle-cli.mjs).
require('../lib/offline-emulators.cjs');
