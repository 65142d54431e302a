// Package kubernetes holds the Kubernetes manifests of otelcol-elemta; its
// test decodes them with the Kubernetes API types and checks them against
// the image and the configuration.
package kubernetes

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// manifest is the decoded otelcol-elemta.yaml.
type manifest struct {
	daemonSet  *appsv1.DaemonSet
	configMaps map[string]*corev1.ConfigMap
	secrets    map[string]*corev1.Secret
	accounts   map[string]bool
}

func readManifest(t *testing.T) manifest {
	t.Helper()
	data, err := os.ReadFile("otelcol-elemta.yaml")
	require.NoError(t, err)
	m := manifest{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}, accounts: map[string]bool{}}
	for i, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		require.NoError(t, yaml.Unmarshal([]byte(doc), &meta), "document %d", i)
		var obj any
		switch meta.Kind {
		case "DaemonSet":
			require.Equal(t, "apps/v1", meta.APIVersion)
			m.daemonSet = &appsv1.DaemonSet{}
			obj = m.daemonSet
		case "ConfigMap":
			cm := &corev1.ConfigMap{}
			obj = cm
			defer func() { m.configMaps[cm.Name] = cm }()
		case "Secret":
			s := &corev1.Secret{}
			obj = s
			defer func() { m.secrets[s.Name] = s }()
		case "ServiceAccount":
			sa := &corev1.ServiceAccount{}
			obj = sa
			defer func() { m.accounts[sa.Name] = true }()
		case "Namespace":
			obj = &corev1.Namespace{}
		default:
			t.Fatalf("document %d: unexpected kind %q", i, meta.Kind)
		}
		// Strict: a misspelt or misplaced field is an error, as kubectl's
		// server-side validation would make it.
		require.NoError(t, yaml.UnmarshalStrict([]byte(doc), obj), "document %d (%s)", i, meta.Kind)
	}
	require.NotNil(t, m.daemonSet)
	return m
}

func TestManifest(t *testing.T) {
	m := readManifest(t)
	ds := m.daemonSet
	spec := ds.Spec.Template.Spec
	require.Len(t, spec.Containers, 1)
	c := spec.Containers[0]

	t.Run("the selector selects the pods", func(t *testing.T) {
		for k, v := range ds.Spec.Selector.MatchLabels {
			assert.Equal(t, v, ds.Spec.Template.Labels[k])
		}
	})
	t.Run("every reference is defined", func(t *testing.T) {
		assert.True(t, m.accounts[spec.ServiceAccountName])
		for _, from := range c.EnvFrom {
			switch {
			case from.ConfigMapRef != nil:
				assert.Contains(t, m.configMaps, from.ConfigMapRef.Name)
			case from.SecretRef != nil:
				assert.Contains(t, m.secrets, from.SecretRef.Name)
			}
		}
		volumes := map[string]corev1.Volume{}
		for _, v := range spec.Volumes {
			volumes[v.Name] = v
			if v.ConfigMap != nil {
				assert.Contains(t, m.configMaps, v.ConfigMap.Name)
			}
		}
		for _, vm := range c.VolumeMounts {
			assert.Contains(t, volumes, vm.Name, "mount %s", vm.MountPath)
		}
	})
	t.Run("checkpoints on the node, logs read-only", func(t *testing.T) {
		env := m.configMaps["otelcol-elemta-env"].Data
		mounts := map[string]corev1.VolumeMount{}
		for _, vm := range c.VolumeMounts {
			mounts[vm.MountPath] = vm
		}
		storage, ok := mounts[env["OTELCOL_ELEMTA_STORAGE"]]
		require.True(t, ok, "the storage directory is mounted")
		assert.False(t, storage.ReadOnly)
		for _, v := range spec.Volumes {
			if v.Name == storage.Name {
				require.NotNil(t, v.HostPath, "the storage outlives the pod")
			}
		}
		for _, path := range []string{"/var/log/pods", "/var/log/elemta"} {
			assert.True(t, mounts[path].ReadOnly, path)
		}
		assert.True(t, strings.HasPrefix(env["ELEMTA_CONTAINER_LOG_PATHS"], "/var/log/pods/"))
		assert.True(t, strings.HasPrefix(env["ELEMTA_LOG_PATHS"], "/var/log/elemta/"))
		require.NotNil(t, c.SecurityContext)
		assert.True(t, *c.SecurityContext.ReadOnlyRootFilesystem)
		assert.False(t, *c.SecurityContext.AllowPrivilegeEscalation)
		assert.Equal(t, []corev1.Capability{"ALL"}, c.SecurityContext.Capabilities.Drop)
	})
	t.Run("resources are bounded", func(t *testing.T) {
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			require.Contains(t, c.Resources.Limits, r)
			require.Contains(t, c.Resources.Requests, r)
			assert.LessOrEqual(t, c.Resources.Requests.Name(r, "").Cmp(c.Resources.Limits[r]), 0, "%s request within the limit", r)
		}
		limit := c.Resources.Limits[corev1.ResourceMemory]
		assert.GreaterOrEqual(t, limit.Value(), int64(128<<20), "room for the measured peak (BENCHMARKS.md)")
	})
	t.Run("probes ask the health endpoint", func(t *testing.T) {
		ports := map[string]int32{}
		for _, p := range c.Ports {
			ports[p.Name] = p.ContainerPort
		}
		assert.Equal(t, int32(13133), ports["health"])
		for _, probe := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe} {
			require.NotNil(t, probe)
			assert.Equal(t, "health", probe.HTTPGet.Port.String())
		}
	})
	t.Run("the configuration the pod runs validates", func(t *testing.T) {
		bin := os.Getenv("OTELCOL_ELEMTA_BIN")
		if bin == "" {
			t.Skip("OTELCOL_ELEMTA_BIN is not set (make test sets it)")
		}
		dir := t.TempDir()
		overlay := m.configMaps["otelcol-elemta-config"]
		require.Len(t, c.Args, 2)
		var args []string
		for _, a := range c.Args {
			path := strings.TrimPrefix(a, "--config=")
			switch {
			case path == "/etc/otelcol-elemta/config.yaml": // the image's (Dockerfile)
				args = append(args, "--config", filepath.Join("..", "config.yaml"))
			case strings.HasPrefix(path, "/etc/otelcol-elemta/kubernetes/"):
				key := filepath.Base(path)
				require.Contains(t, overlay.Data, key)
				file := filepath.Join(dir, key)
				require.NoError(t, os.WriteFile(file, []byte(overlay.Data[key]), 0o600))
				args = append(args, "--config", file)
			default:
				t.Fatalf("argument %q: no such file in the image or the ConfigMap", a)
			}
		}
		cmd := exec.Command(bin, append([]string{"validate"}, args...)...)
		cmd.Env = os.Environ()
		for k, v := range m.configMaps["otelcol-elemta-env"].Data {
			if k == "OTELCOL_ELEMTA_STORAGE" {
				v = t.TempDir()
			}
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	})
}
