import { initAll } from '/static/govuk/govuk-frontend.min.js'
import { warnBeforeSignOut } from './session-timeout.mjs'

initAll()
// Signed-in pages say how long the session lasts when idle (templates/base.html): warn before it ends.
warnBeforeSignOut(document.body)
