package api

import "github.com/zonewarden/zonewarden/internal/store"

// primaryServerJSON is DNSimple's PrimaryServer: a customer's own name
// server that secondary zones are pulled from.
type primaryServerJSON struct {
	ID                   int64     `json:"id"`
	AccountID            int64     `json:"account_id"`
	Name                 string    `json:"name"`
	IP                   string    `json:"ip"`
	Port                 int       `json:"port"`
	LinkedSecondaryZones []string  `json:"linked_secondary_zones"`
	CreatedAt            timestamp `json:"created_at"`
	UpdatedAt            timestamp `json:"updated_at"`
}

func toPrimaryServer(p store.PrimaryServer) primaryServerJSON {
	zones := p.LinkedZones
	if zones == nil {
		zones = []string{}
	}
	return primaryServerJSON{ID: p.ID, AccountID: p.AccountID, Name: p.Name, IP: p.IP, Port: p.Port,
		LinkedSecondaryZones: zones, CreatedAt: timestamp(p.CreatedAt), UpdatedAt: timestamp(p.UpdatedAt)}
}
