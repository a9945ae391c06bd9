import { loadFaq } from './src/faq/load.ts';
import { createFaqIndex } from './src/faq/faq-index.ts';
import { normalizeText } from './src/faq/normalize.ts';
import { generateEntries } from './bench/faq.ts';
console.log(normalizeText('單據怎麼打印'), normalizeText('想像一下'), normalizeText('反覆'));
const c = await loadFaq('./flows');
const gen = { ...c, entries: generateEntries(c.entries, 10000) };
createFaqIndex(gen);
for (let i = 0; i < 3; i++) { const u = process.cpuUsage(); const t0 = performance.now(); createFaqIndex(gen); const cu = process.cpuUsage(u); console.log('wall', (performance.now() - t0).toFixed(0), 'cpu', ((cu.user + cu.system) / 1000).toFixed(0)); }
