// 隐患上报: photos, place, receiving unit, category, severity and
// description; field errors shown where they occur; one Idempotency-Key
// per draft, kept across retries.
const api = require('../../api/index')
const flows = require('../../utils/flows')
const config = require('../../config')

// drafts keeps each page's Idempotency-Key and the keys of the photos
// already uploaded: they outlive a failed submit, and a filed report
// starts a new draft.
const drafts = new WeakMap()

function newDraft(page) {
  drafts.set(page, { key: api.newIdempotencyKey(), uploaded: {} })
}

function emptyDraft() {
  return {
    photos: [], progress: [], address: '', location: null, description: '', descCount: 0,
    severity: 'general', catIndex: -1, deptIndex: -1, errors: {}, message: '', submitting: false,
  }
}

Component({
  data: Object.assign({
    categories: [], departments: [], maxPhotos: flows.MAX_PHOTOS, maxDescription: flows.MAX_DESCRIPTION,
  }, emptyDraft()),
  methods: {
    async onLoad() {
      newDraft(this)
      try {
        const [c, d] = await Promise.all([api.categories(), api.departments()])
        this.setData({ categories: c.items, departments: d.items })
      } catch (e) {
        this.setData({ message: '加载失败，请下拉重试' })
      }
      const here = await flows.locate().catch(() => null)
      if (here) this.setData({ location: here })
      else this.setData({ 'errors.location': '未获得定位权限，请手动填写地址或在地图上选点' })
    },
    async addPhotos() {
      const paths = await flows.choosePhotos(this.data.photos.length).catch(() => [])
      if (paths.length === 0) return
      const photos = this.data.photos.concat(paths).slice(0, flows.MAX_PHOTOS)
      this.setData({ photos, progress: photos.map((p, i) => this.data.progress[i] || 0), 'errors.photos': '' })
    },
    removePhoto(e) {
      const i = e.currentTarget.dataset.index
      const photos = this.data.photos.filter((_, j) => j !== i)
      this.setData({ photos, progress: this.data.progress.filter((_, j) => j !== i) })
    },
    preview(e) {
      wx.previewImage({ current: e.currentTarget.dataset.src, urls: this.data.photos })
    },
    async chooseOnMap() {
      const p = await flows.pickOnMap(this.data.location).catch(() => null)
      if (!p) return
      this.setData({ location: { latitude: p.latitude, longitude: p.longitude }, address: p.address || this.data.address, 'errors.location': '', 'errors.address': '' })
    },
    onAddress(e) {
      this.setData({ address: e.detail.value, 'errors.address': '' })
    },
    onDescription(e) {
      const v = e.detail.value
      this.setData({ description: v, descCount: v.length, 'errors.description': '' })
    },
    onCategory(e) {
      const i = Number(e.detail.value)
      const cat = this.data.categories[i]
      const dept = this.data.departments.findIndex((d) => cat && d.code === cat.department)
      this.setData({ catIndex: i, deptIndex: this.data.deptIndex >= 0 ? this.data.deptIndex : dept, 'errors.category': '' })
    },
    onDepartment(e) {
      this.setData({ deptIndex: Number(e.detail.value), 'errors.unit': '' })
    },
    onSeverity(e) {
      this.setData({ severity: e.detail.value })
    },
    draft() {
      const d = this.data
      return {
        category: d.catIndex >= 0 ? d.categories[d.catIndex].code : '',
        unit: d.deptIndex >= 0 ? d.departments[d.deptIndex].code : '',
        severity: d.severity, description: d.description, address: d.address,
        photos: d.photos, location: d.location, idempotencyKey: drafts.get(this).key, uploaded: drafts.get(this).uploaded,
      }
    },
    async submit() {
      if (this.data.submitting) return
      const draft = this.draft()
      const errors = flows.validateReport(draft)
      if (Object.keys(errors).length) {
        this.setData({ errors, message: '请检查标红的内容' })
        return
      }
      this.setData({ submitting: true, errors: {}, message: '' })
      await flows.askForNotices(config.subscribeTemplates)
      try {
        const v = await flows.submitReport(draft, (i, pct) => this.setData({ ['progress[' + i + ']']: pct }))
        // Filed: the next report is a new draft with a new key.
        newDraft(this)
        this.setData(Object.assign(emptyDraft(), { message: '上报成功，编号 ' + v.ref, lastRef: v.ref }))
        wx.showToast({ title: '上报成功', icon: 'success' })
      } catch (e) {
        if (e instanceof api.ApiError && e.status === 403 && e.field === 'phone') {
          // A WeChat login binds a phone number before reporting.
          this.setData({ message: '请先绑定手机号后再上报', submitting: false })
          wx.navigateTo({ url: '/pages/login/login' })
          return
        }
        if (e instanceof api.ApiError && e.status >= 400 && e.status < 500) {
          this.setData({ errors: e.fieldErrors(), message: e.fields.length ? '请检查标红的内容' : e.message, submitting: false })
        } else {
          // Weak network: the same key is sent again, so nothing is filed twice.
          this.setData({ message: '网络不佳，请重试（不会重复上报）', submitting: false })
        }
        return
      }
      this.setData({ submitting: false })
    },
  },
})
