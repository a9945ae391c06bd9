import { MemoryStore } from '../storage/memory.ts';
import { runStoreContract } from './store-contract.ts';

runStoreContract('memory', async () => ({
  durable: false,
  open: async (clock) => new MemoryStore(clock),
  dispose: async () => {},
}));
