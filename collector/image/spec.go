package main

import v1 "github.com/google/go-containerregistry/pkg/v1"

// What the image is: the one place these values live for the daemonless
// build; Dockerfile repeats them and a test compares the two.
const (
	BinaryPath   = "/usr/bin/otelcol"
	ConfigDir    = "/etc/otelcol"
	CABundlePath = "/etc/ssl/certs/ca-certificates.crt"
	// The distroless "nonroot" user: no shell, no home, not root.
	User = "65532:65532"
	// Cloud Run's default PORT (and cloud-run.yaml's); Cloud Run sets PORT itself.
	DefaultPort = "8080"
	// Sized for a 1 GiB instance: the memory_limiter's soft limit (cloud-run.yaml).
	GoMemLimit = "640MiB"
)

const passwd = "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
const group = "root:x:0:\nnonroot:x:65532:\n"

// ImageConfig is the OCI image config's `config` object.
func ImageConfig() v1.Config {
	return v1.Config{
		Entrypoint: []string{BinaryPath},
		// self-telemetry.yaml: the collector's own metrics and logs, out the same way (collector/README.md, "Watching the collector").
		Cmd:        []string{"--config=" + ConfigDir + "/sampling.yaml", "--config=" + ConfigDir + "/cloud-run.yaml", "--config=" + ConfigDir + "/self-telemetry.yaml"},
		Env: []string{
			"PATH=/usr/bin:/bin",
			"GOMEMLIMIT=" + GoMemLimit,
		},
		User:         User,
		WorkingDir:   "/",
		ExposedPorts: map[string]struct{}{DefaultPort + "/tcp": {}},
		Labels: map[string]string{
			"org.opencontainers.image.title":  "tracehop otelcol",
			"org.opencontainers.image.source": "collector/manifest.yaml, collector/config, collector/image",
		},
	}
}
