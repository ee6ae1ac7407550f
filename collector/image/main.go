// Command build-image writes the tracehop collector's container image as an
// OCI image layout (https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
// without a Docker daemon: one layer holding the static linux/amd64 otelcol,
// the deployable configs, a CA bundle (TLS to Google's APIs) and the passwd
// entries of the non-root user, and an image config with the entrypoint,
// arguments, environment, user, working directory and exposed port that
// Dockerfile (beside this file) gives the same image built with a builder.
//
//	go run . -otelcol <static otelcol> -configs <collector/config> -ca <ca-certificates.crt> -out <dir>
//
// Push the layout with `crane push <dir> <registry>/<repo>:<tag>` (README, "Deploy on Cloud Run").
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func main() {
	otelcol := flag.String("otelcol", "", "static linux/amd64 otelcol binary")
	configs := flag.String("configs", "", "folder of deployable collector configs (*.yaml; subfolders are not copied)")
	ca := flag.String("ca", "/etc/ssl/certs/ca-certificates.crt", "PEM bundle of root CAs")
	out := flag.String("out", "", "output folder (an OCI image layout; must not exist)")
	flag.Parse()
	if *otelcol == "" || *configs == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := build(*otelcol, *configs, *ca, *out); err != nil {
		fmt.Fprintln(os.Stderr, "build-image:", err)
		os.Exit(1)
	}
	fmt.Println(*out)
}

func build(otelcol, configDir, caBundle, out string) error {
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists", out)
	}
	files := []file{}
	binary, err := os.ReadFile(otelcol)
	if err != nil {
		return err
	}
	if err := checkStaticLinuxAmd64(binary); err != nil {
		return fmt.Errorf("%s: %w", otelcol, err)
	}
	files = append(files, file{path: BinaryPath, mode: 0o755, data: binary})
	names, err := filepath.Glob(filepath.Join(configDir, "*.yaml"))
	if err != nil {
		return err
	}
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Errorf("no *.yaml in %s", configDir)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		files = append(files, file{path: ConfigDir + "/" + filepath.Base(name), mode: 0o644, data: data})
	}
	bundle, err := os.ReadFile(caBundle)
	if err != nil {
		return fmt.Errorf("CA bundle: %w (install Debian's ca-certificates)", err)
	}
	if !strings.Contains(string(bundle), "BEGIN CERTIFICATE") {
		return fmt.Errorf("%s holds no PEM certificate", caBundle)
	}
	files = append(files,
		file{path: CABundlePath, mode: 0o644, data: bundle},
		file{path: "/etc/passwd", mode: 0o644, data: []byte(passwd)},
		file{path: "/etc/group", mode: 0o644, data: []byte(group)},
	)
	layer, err := layerOf(files)
	if err != nil {
		return err
	}
	// OCI media types throughout: an OCI layout, pushed as an OCI image.
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cfg = cfg.DeepCopy()
	cfg.Architecture, cfg.OS = "amd64", "linux"
	cfg.Created = v1.Time{} // reproducible: the same inputs give the same digest
	cfg.Config = ImageConfig()
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return err
	}
	path, err := layout.Write(out, empty.Index)
	if err != nil {
		return err
	}
	return path.AppendImage(img, layout.WithPlatform(v1.Platform{OS: "linux", Architecture: "amd64"}))
}
