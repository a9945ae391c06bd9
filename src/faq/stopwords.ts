/**
 * Chinese chat function words that carry no topic: pronouns, particles, question words,
 * politeness and filler verbs ("弄", "搞"). Language knowledge, not domain content — the domain
 * thesaurus lives in `flows/faq/synonyms.yaml`. Compared after normalization (simplified, lower case).
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    '的 地 得 了 着 过 吗 嘛 么 呢 吧 啊 呀 哦 哈 啦 噢 喔 哇 嗯 呗 咯 哎 诶 ' +
    '我 你 您 他 她 它 我们 你们 他们 她们 咱 咱们 自己 大家 人家 俺 ' +
    '这 那 这个 那个 这些 那些 这样 那样 这里 那里 这边 那边 这儿 那儿 此 该 ' +
    '怎么 怎样 怎么样 怎么办 咋 咋办 咋整 咋弄 咋搞 如何 什么 啥 啥子 哪 哪里 哪儿 哪个 哪些 在哪 在哪里 在哪儿 ' +
    '为什么 为啥 干嘛 干啥 多少 几 是不是 是否 能否 可否 有没有 能不能 可不可以 会不会 要不要 ' +
    '是 有 在 要 想 能 可以 可 会 得 把 被 给 和 跟 与 及 或 或者 还是 还 也 都 就 才 又 再 ' +
    '多 大 小 少 很 太 挺 好 非常 特别 比较 一下 一点 有点 一些 一个 个 一 下 上 里 中 内 ' +
    '请问 问 问下 问一下 请 你好 您好 hi hello 麻烦 帮忙 帮 帮我 谢谢 劳驾 ' +
    '弄 搞 整 做 办 操作 处理 进行 使用 用 ' +
    '系统 一直 总是 老是 突然 然后 但是 可是 不过 所以 因为 如果 的话 就是 其实 已经 刚 刚刚 ' +
    '需要 应该 必须 到底 究竟 呢 嘛 啊 吗'
  ).split(/\s+/),
);
