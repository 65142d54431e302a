// Package packaging holds the files of the .deb and .rpm packages (nfpm.yaml,
// the systemd unit, the environment file, the install scripts); its test
// installs the .deb `make package` built.
package packaging

import (
	"bytes"
	"os"
	"os/exec"
	"os/user"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	unit     = "/lib/systemd/system/otelcol-elemta.service"
	config   = "/etc/otelcol-elemta/config.yaml"
	envFile  = "/etc/otelcol-elemta/otelcol-elemta.conf"
	storage  = "/var/lib/otelcol-elemta"
	binary   = "/usr/bin/otelcol-elemta"
	userName = "otelcol-elemta"
)

// packages returns the .deb and .rpm of `make package` (make test passes
// them). Installing a package changes the machine: the test runs in CI
// (CI set, as .ci/run does), as root, and skips elsewhere; in CI, missing
// packages, root or dpkg fail it.
func packages(t *testing.T) (deb, rpm string) {
	t.Helper()
	if os.Getenv("CI") == "" {
		t.Skip("installs the .deb on this machine: runs in CI (set CI=true to run it here, as root)")
	}
	deb, rpm = os.Getenv("OTELCOL_ELEMTA_DEB"), os.Getenv("OTELCOL_ELEMTA_RPM")
	_, dpkgErr := exec.LookPath("dpkg")
	var why string
	switch {
	case deb == "" || rpm == "":
		why = "OTELCOL_ELEMTA_DEB and OTELCOL_ELEMTA_RPM are not set (make test sets them)"
	case os.Geteuid() != 0:
		why = "installing a package needs root"
	case dpkgErr != nil:
		why = "dpkg is missing"
	}
	if why != "" {
		t.Fatal(why)
	}
	return deb, rpm
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestDebianPackage installs the .deb, checks what it put in place, upgrades
// over itself with an edited conffile, removes it and purges it.
func TestDebianPackage(t *testing.T) {
	deb, rpm := packages(t)
	purge := func() { _ = exec.Command("dpkg", "--purge", "otelcol-elemta").Run() }
	purge()
	t.Cleanup(purge)

	run(t, "dpkg", "-i", deb)

	t.Run("a system user without a login", func(t *testing.T) {
		u, err := user.Lookup(userName)
		require.NoError(t, err)
		passwd := run(t, "getent", "passwd", userName)
		assert.Contains(t, passwd, "nologin")
		assert.Equal(t, storage, u.HomeDir)
		if _, err := user.LookupGroup("adm"); err == nil {
			assert.Contains(t, run(t, "id", "-nG", userName), "adm", "the user reads the logs of the adm group")
		}
	})
	t.Run("the storage directory is the user's", func(t *testing.T) {
		fi, err := os.Stat(storage)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o750), fi.Mode().Perm())
		assert.Equal(t, userName+":"+userName, strings.TrimSpace(run(t, "stat", "-c", "%U:%G", storage)))
	})
	t.Run("the configuration files are conffiles", func(t *testing.T) {
		conffiles := run(t, "dpkg-query", "-W", "-f=${Conffiles}", "otelcol-elemta")
		for _, f := range []string{config, envFile, "/etc/otelcol-elemta/elasticsearch-metrics.yaml"} {
			assert.Contains(t, conffiles, f)
		}
		assert.Equal(t, "root:"+userName+" 640", strings.TrimSpace(run(t, "stat", "-c", "%U:%G %a", envFile)),
			"the environment file may hold passwords")
	})
	t.Run("the unit", func(t *testing.T) {
		data, err := os.ReadFile(unit)
		require.NoError(t, err)
		for _, line := range []string{
			"User=otelcol-elemta", "NoNewPrivileges=yes", "ProtectSystem=strict",
			"ReadWritePaths=/var/lib/otelcol-elemta", "StateDirectory=otelcol-elemta", "EnvironmentFile=" + envFile,
		} {
			assert.Contains(t, string(data), line+"\n")
		}
		if _, err := exec.LookPath("systemd-analyze"); err == nil {
			run(t, "systemd-analyze", "verify", unit)
		}
	})
	t.Run("the installed binary validates the installed configuration as the user", func(t *testing.T) {
		run(t, "runuser", "-u", userName, "--", binary, "validate", "--config", config)
	})

	edited := "\n# edited by the operator\n"
	f, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(edited)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	marker := storage + "/checkpoint-of-a-previous-run"
	require.NoError(t, os.WriteFile(marker, []byte("x"), 0o600))

	run(t, "dpkg", "-i", deb)
	t.Run("an upgrade keeps the edited conffile and the storage", func(t *testing.T) {
		data, err := os.ReadFile(config)
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(string(data), edited))
		assert.True(t, exists(marker))
		assert.True(t, exists(binary))
	})

	run(t, "dpkg", "--remove", "otelcol-elemta")
	t.Run("removal keeps the configuration and the storage", func(t *testing.T) {
		assert.False(t, exists(binary))
		assert.False(t, exists(unit))
		assert.True(t, exists(config))
		assert.True(t, exists(marker), "checkpoints and dead letters outlive the package")
	})
	run(t, "dpkg", "--purge", "otelcol-elemta")
	assert.False(t, exists(config), "a purge removes the configuration")

	t.Run("the rpm is built", func(t *testing.T) {
		data, err := os.ReadFile(rpm)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(data, []byte{0xed, 0xab, 0xee, 0xdb}), "an RPM lead")
		assert.Greater(t, len(data), 1<<20)
	})
}
