package smtpeventprocessor // import "github.com/elemta/otelcol-elemta/processor/smtpeventprocessor"

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/oschwald/maxminddb-golang/v2"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"
)

// geoInfo is what the databases say of one address.
type geoInfo struct {
	found bool

	countryISO, countryName string
	regionISO, regionName   string
	city, timezone          string
	lat, lon                float64
	hasLocation             bool

	asNumber uint32
	asOrg    string
}

// GeoIP2/GeoLite2 (and DB-IP's own) City schema.
type geoip2City struct {
	City struct {
		Names map[string]string `maxminddb:"names"`
	} `maxminddb:"city"`
	Country struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"country"`
	Subdivisions []struct {
		ISOCode string            `maxminddb:"iso_code"`
		Names   map[string]string `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
		TimeZone  string   `maxminddb:"time_zone"`
	} `maxminddb:"location"`
}

// The flattened schema of the ip-location-db databases (DB-IP Lite).
type flatCity struct {
	CountryCode string   `maxminddb:"country_code"`
	State1      string   `maxminddb:"state1"`
	City        string   `maxminddb:"city"`
	Latitude    *float64 `maxminddb:"latitude"`
	Longitude   *float64 `maxminddb:"longitude"`
	Timezone    string   `maxminddb:"timezone"`
}

type asnRecord struct {
	Number       uint32 `maxminddb:"autonomous_system_number"`
	Organization string `maxminddb:"autonomous_system_organization"`
}

// geoDB is one MaxMind-format database file, reopened when it changes.
type geoDB struct {
	path   string
	mu     sync.RWMutex
	reader *maxminddb.Reader
	flat   bool // city data in the flattened ip-location-db schema
	ipv4   bool // holds IPv4 addresses only
	stamp  fileStamp
}

type fileStamp struct {
	size    int64
	modTime time.Time
}

func stampOf(path string) (fileStamp, error) {
	info, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{size: info.Size(), modTime: info.ModTime()}, nil
}

func openGeoDB(path string) (*geoDB, error) {
	db := &geoDB{path: path}
	if err := db.reload(); err != nil {
		return nil, err
	}
	return db, nil
}

// reload opens the file again and swaps it in.
func (db *geoDB) reload() error {
	stamp, err := stampOf(db.path)
	if err != nil {
		return err
	}
	r, err := maxminddb.Open(db.path)
	if err != nil {
		return err
	}
	dbType := strings.ToLower(r.Metadata.DatabaseType)
	flat := !strings.Contains(dbType, "geoip2") && !strings.Contains(dbType, "geolite2") && !strings.HasPrefix(dbType, "dbip-")
	db.mu.Lock()
	old := db.reader
	db.reader, db.flat, db.ipv4, db.stamp = r, flat, r.Metadata.IPVersion == 4, stamp
	db.mu.Unlock()
	if old != nil {
		return old.Close()
	}
	return nil
}

// changed reports whether the file differs from the one open.
func (db *geoDB) changed() bool {
	stamp, err := stampOf(db.path)
	if err != nil {
		return false // being replaced; look again later
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	return stamp != db.stamp
}

func (db *geoDB) close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.reader == nil {
		return nil
	}
	err := db.reader.Close()
	db.reader = nil
	return err
}

// covers tells whether the file can hold addr: an IPv4-only file holds no
// IPv6 address.
func (db *geoDB) covers(addr netip.Addr) bool {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return addr.Is4() || !db.ipv4
}

func (db *geoDB) lookupCity(addr netip.Addr, info *geoInfo) error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	res := db.reader.Lookup(addr)
	if !res.Found() {
		return res.Err()
	}
	info.found = true
	if db.flat {
		var rec flatCity
		if err := res.Decode(&rec); err != nil {
			return err
		}
		info.countryISO, info.regionName, info.city, info.timezone = rec.CountryCode, rec.State1, rec.City, rec.Timezone
		if rec.Latitude != nil && rec.Longitude != nil {
			info.lat, info.lon, info.hasLocation = *rec.Latitude, *rec.Longitude, true
		}
		return nil
	}
	var rec geoip2City
	if err := res.Decode(&rec); err != nil {
		return err
	}
	info.countryISO, info.countryName = rec.Country.ISOCode, rec.Country.Names["en"]
	info.city, info.timezone = rec.City.Names["en"], rec.Location.TimeZone
	if len(rec.Subdivisions) > 0 {
		info.regionISO, info.regionName = rec.Subdivisions[0].ISOCode, rec.Subdivisions[0].Names["en"]
	}
	if rec.Location.Latitude != nil && rec.Location.Longitude != nil {
		info.lat, info.lon, info.hasLocation = *rec.Location.Latitude, *rec.Location.Longitude, true
	}
	return nil
}

func (db *geoDB) lookupASN(addr netip.Addr, info *geoInfo) error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	res := db.reader.Lookup(addr)
	if !res.Found() {
		return res.Err()
	}
	var rec asnRecord
	if err := res.Decode(&rec); err != nil {
		return err
	}
	info.found = true
	info.asNumber, info.asOrg = rec.Number, rec.Organization
	return nil
}

// notRouted are the ranges no database places: private, loopback,
// link-local, documentation, shared and reserved addresses.
var notRouted = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

func routable(addr netip.Addr) bool {
	if addr.IsPrivate() || addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsMulticast() ||
		addr.IsUnspecified() || addr.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range notRouted {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// geoLocator answers lookups from the City and ASN databases through an
// LRU cache, and reloads a database file when it changes.
type geoLocator struct {
	city, asn []*geoDB
	logger    *zap.Logger

	cache *lru.Cache[netip.Addr, geoInfo]

	stop chan struct{}
	done chan struct{}
}

// geoOpenError is the error for a database that cannot be opened, the same
// from Validate (otelcol-elemta validate) and at start.
func geoOpenError(key, turnOff, path string, err error) error {
	return fmt.Errorf("geoip::%s: cannot open %q: %w; fix the path or leave it empty to turn %s off", key, path, err, turnOff)
}

// checkGeoDBs opens and closes each database a key names.
func checkGeoDBs(key, turnOff string, paths []string) []error {
	var errs []error
	for _, path := range paths {
		path = strings.TrimSpace(path)
		if path == "" {
			continue
		}
		r, err := maxminddb.Open(path)
		if err != nil {
			errs = append(errs, geoOpenError(key, turnOff, path, err))
			continue
		}
		_ = r.Close()
	}
	return errs
}

// newGeoLocator opens the databases cfg names (at least one).
func newGeoLocator(cfg GeoIPConfig, logger *zap.Logger) (*geoLocator, error) {
	cache, err := lru.New[netip.Addr, geoInfo](cfg.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("geoip::cache_size: %w", err)
	}
	g := &geoLocator{logger: logger, cache: cache}
	open := func(key, turnOff string, paths []string) ([]*geoDB, error) {
		var dbs []*geoDB
		for _, path := range paths {
			path = strings.TrimSpace(path)
			if path == "" {
				continue
			}
			db, err := openGeoDB(path)
			if err != nil {
				return dbs, geoOpenError(key, turnOff, path, err)
			}
			dbs = append(dbs, db)
		}
		return dbs, nil
	}
	g.city, err = open("city_database", "GeoIP", cfg.CityDatabase)
	if err == nil {
		g.asn, err = open("asn_database", "ASN lookups", cfg.ASNDatabase)
	}
	if err != nil {
		_ = g.close()
		return nil, err
	}
	return g, nil
}

// watch reloads changed database files every interval until close.
func (g *geoLocator) watch(interval time.Duration) {
	g.stop, g.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(g.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-g.stop:
				return
			case <-t.C:
				for _, db := range g.databases() {
					if !db.changed() {
						continue
					}
					if err := db.reload(); err != nil {
						g.logger.Error("GeoIP database changed but cannot be reopened; the previous one stays in use",
							zap.String("path", db.path), zap.Error(err))
						continue
					}
					g.logger.Info("GeoIP database reloaded", zap.String("path", db.path))
					g.clearCache()
				}
			}
		}
	}()
}

func (g *geoLocator) clearCache() { g.cache.Purge() }

// lookup returns what the databases say of addr, and whether it came from the cache.
func (g *geoLocator) lookup(addr netip.Addr) (geoInfo, bool, error) {
	if info, ok := g.cache.Get(addr); ok {
		return info, true, nil
	}

	var info geoInfo
	var errs []error
	for _, db := range g.city {
		if db.covers(addr) {
			errs = append(errs, db.lookupCity(addr, &info))
			if info.found {
				break
			}
		}
	}
	for _, db := range g.asn {
		if db.covers(addr) {
			errs = append(errs, db.lookupASN(addr, &info))
			if info.asNumber != 0 {
				break
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return geoInfo{}, false, err
	}

	g.cache.Add(addr, info)
	return info, false, nil
}

func (g *geoLocator) close() error {
	if g.stop != nil {
		close(g.stop)
		<-g.done
	}
	var errs []error
	for _, db := range g.databases() {
		errs = append(errs, db.close())
	}
	return errors.Join(errs...)
}

func (g *geoLocator) databases() []*geoDB {
	return append(slices.Clone(g.city), g.asn...)
}

// locate adds where an address is (geoKey) and who routes it (asKey), and
// returns its country's ISO code ("" when unknown). Private, loopback and
// reserved addresses are skipped without a trace.
func (p *smtpEventProcessor) locate(attrs pcommon.Map, text, geoKey, asKey string, b *batchCounts) (countryISO string) {
	if text == "" {
		return ""
	}
	addr, err := netip.ParseAddr(text)
	if err != nil {
		return ""
	}
	addr = addr.Unmap()
	if !routable(addr) {
		b.geo[geoSkipped]++
		return ""
	}
	info, hit, err := p.geo.lookup(addr)
	if hit {
		b.geo[geoCacheHit]++
	} else {
		b.geo[geoCacheMiss]++
	}
	switch {
	case err != nil:
		b.geo[geoError]++
		return ""
	case !info.found:
		b.geo[geoNotFound]++
		return ""
	}
	b.geo[geoFound]++
	if info.countryISO != "" || info.city != "" || info.hasLocation {
		geo := attrs.PutEmptyMap(geoKey)
		geo.EnsureCapacity(7)
		putNonEmpty(geo, "country_iso_code", info.countryISO)
		putNonEmpty(geo, "country_name", info.countryName)
		putNonEmpty(geo, "region_iso_code", info.regionISO)
		putNonEmpty(geo, "region_name", info.regionName)
		putNonEmpty(geo, "city_name", info.city)
		putNonEmpty(geo, "timezone", info.timezone)
		if info.hasLocation {
			loc := geo.PutEmptyMap("location")
			loc.PutDouble("lat", info.lat)
			loc.PutDouble("lon", info.lon)
		}
	}
	if info.asNumber != 0 {
		as := attrs.PutEmptyMap(asKey)
		as.EnsureCapacity(2)
		as.PutInt("number", int64(info.asNumber))
		putNonEmpty(as, "organization.name", info.asOrg)
	}
	return info.countryISO
}

func putNonEmpty(m pcommon.Map, k, v string) {
	if v != "" {
		m.PutStr(k, v)
	}
}
