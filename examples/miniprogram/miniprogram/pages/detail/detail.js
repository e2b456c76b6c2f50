// A report on the plaza: its photos (public copies without metadata) and
// its public timeline, with state names from the processes.
const api = require('../../api/index')
const format = require('../../utils/format')

const EVENT = { submitted: '市民上报', transition: '状态变更', reopened: '问题复现' }

Component({
  data: { report: null, photos: [], timeline: [], message: '' },
  methods: {
    async onLoad(query) {
      try {
        const [r, names] = await Promise.all([api.plazaReport(query.ref), format.stateNames()])
        const base = require('../../api/index').baseURL()
        this.setData({
          report: { ref: r.ref, description: r.description, address: r.address, state: names[r.state] || r.state, major: r.severity === 'major', time: format.day(r.created_at) },
          photos: (r.photo_links || []).map((p) => format.photoURL(base, p.url)),
          timeline: (r.timeline || []).map((e) => ({
            what: e.to ? names[e.to] || e.to : EVENT[e.type] || e.type,
            note: e.note || '',
            time: format.day(e.time),
          })),
          message: '',
        })
      } catch (e) {
        this.setData({ message: e.status === 404 ? '没有找到这条上报' : '加载失败，请稍后重试' })
      }
    },
    preview(e) {
      wx.previewImage({ current: e.currentTarget.dataset.src, urls: this.data.photos })
    },
  },
})
