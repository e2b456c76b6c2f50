// One article; its body is the server's sanitised HTML, shown by rich-text.
const api = require('../../api/index')
const format = require('../../utils/format')

Component({
  data: { article: null, message: '' },
  methods: {
    async onLoad(query) {
      try {
        const a = await api.article(query.id)
        this.setData({ article: { title: a.title, html: a.html, source: a.source || '', time: format.day(a.published_at) } })
      } catch (e) {
        this.setData({ message: e.status === 404 ? '文章不存在或未发布' : '加载失败，请稍后重试' })
      }
    },
  },
})
