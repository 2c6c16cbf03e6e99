package dashboard

import (
	"errors"
	"net/http"
	"strings"

	"github.com/fedmart/fedmart/node/web"
)

// The dashboard's settings: the time zone every page of the node writes
// times in (web.Site.SetZone), the dashboard's live clock included.

// settingsPage is what the settings template shows.
type settingsPage struct {
	Form *web.Form
	// Zone names the zone in force; Now is the time there.
	Zone, Now string
	Choices   []string
}

// settingsNotices are the confirmations the settings page shows after a
// redirect.
var settingsNotices = map[string]string{"saved": "Settings saved: times are shown in the new time zone."}

// settingsForm shows the settings: GET /operator/settings.
func (d *Dashboard) settingsForm(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	f.Set("zone", d.site.Zone().String())
	d.settingsPage(w, r, sess, http.StatusOK, f)
}

func (d *Dashboard) settingsPage(w http.ResponseWriter, r *http.Request, sess *web.Session, status int, f *web.Form) {
	loc, now := d.site.Zone(), d.site.Now()
	v := settingsPage{Form: f, Zone: web.ZoneLabel(loc, now), Now: web.FormatTime(now, loc), Choices: web.ZoneChoices}
	p := d.dashboardPage(sess, "Settings", "/operator/settings", v)
	if status == http.StatusOK {
		p.Notice = settingsNotices[r.URL.Query().Get("done")]
	}
	d.pages.Render(w, r, status, "operator_settings", p)
}

// saveSettings keeps the settings: POST /operator/settings.
func (d *Dashboard) saveSettings(w http.ResponseWriter, r *http.Request, sess *web.Session) {
	f := web.NewForm()
	zone := strings.TrimSpace(r.PostForm.Get("zone"))
	f.Set("zone", zone)
	err := d.site.SetZone(zone)
	switch {
	case zone == "":
		f.Add("zone", "Enter a time zone, such as Europe/Berlin, or UTC.")
	case errors.Is(err, web.ErrZone):
		f.Add("zone", "This is not a time zone this node knows: enter a name such as Europe/Berlin or America/New_York, or UTC.")
	case err != nil:
		d.site.Fail(w, r, err)
		return
	}
	if !f.OK() {
		d.settingsPage(w, r, sess, http.StatusUnprocessableEntity, f)
		return
	}
	web.SeeOther(w, r, "/operator/settings?done=saved")
}
