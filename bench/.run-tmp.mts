import { benchIngest } from './ingest.ts';
for (const l of await benchIngest({ rounds: Number(process.env.ROUNDS ?? 6) })) console.log(l);
