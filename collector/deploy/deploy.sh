#!/usr/bin/env bash
# Deploys the tracehop collector to Cloud Run: pushes the image built by
# `bash collector/build.sh` (an OCI layout, no Docker needed), creates the
# collector's service account and grants it what the export to Google needs,
# deploys collector/deploy/service.yaml, and makes each calling service's
# account an invoker. Every command it runs is printed first.
#
# Usage: collector/deploy/deploy.sh PROJECT_ID REGION IMAGE CALLER_SA [CALLER_SA...]
#   IMAGE      e.g. europe-west1-docker.pkg.dev/PROJECT_ID/REPO/otelcol:v1 (an Artifact Registry repository)
#   CALLER_SA  the service accounts the exporting services run as, e.g. bff@PROJECT_ID.iam.gserviceaccount.com
#
# Needs gcloud (logged in, with rights to create service accounts, grant roles
# and deploy) and Go (crane, go-containerregistry's CLI, runs with `go run`).
# The tests run this script with a recording gcloud and a loopback registry
# (test-fixtures/collector/test/deploy.test.ts).
set -euo pipefail
if [[ $# -lt 4 ]]; then
  sed -n '8,10p' "$0" >&2
  exit 2
fi
project="$1" region="$2" image="$3"
shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
collector_sa="otelcol@$project.iam.gserviceaccount.com"
CRANE="${CRANE:-go run github.com/google/go-containerregistry/cmd/crane@v0.22.1}"

run() {
  printf '+ %s\n' "$*" >&2
  "$@"
}

# 1. The image. crane finds Artifact Registry credentials through the gcloud
#    credential helper that `gcloud auth configure-docker` registers.
layout="$(bash "$here/../build.sh" --image | tail -n 1)"
run gcloud auth configure-docker "${image%%/*}" --quiet
# shellcheck disable=SC2086 # CRANE is a command line
run $CRANE push "$layout" "$image" >&2

# 2. The collector's own identity and the roles of the export to Google's
#    Telemetry (OTLP) API (traces, metrics and logs writers: the collector's own
#    log records go out too, self-telemetry.yaml; the quota project is the same
#    project: Service Usage Consumer).
run gcloud iam service-accounts create otelcol --project="$project" --display-name="tracehop OpenTelemetry Collector"
for role in roles/telemetry.tracesWriter roles/telemetry.metricsWriter roles/telemetry.logsWriter roles/serviceusage.serviceUsageConsumer; do
  run gcloud projects add-iam-policy-binding "$project" --member="serviceAccount:$collector_sa" --role="$role" --condition=None
done

# 3. The service, from the definition with the placeholders filled in.
rendered="$(mktemp --suffix=.yaml)"
trap 'rm -f "$rendered"' EXIT
sed -e "s|__PROJECT_ID__|$project|g" -e "s|__REGION__|$region|g" -e "s|__IMAGE__|$image|g" "$here/service.yaml" >"$rendered"
run gcloud run services replace "$rendered" --project="$project" --region="$region"

# 4. The allow-list: only these accounts may export (Cloud Run refuses others with 403).
for caller in "$@"; do
  run gcloud run services add-iam-policy-binding otelcol --project="$project" --region="$region" \
    --member="serviceAccount:$caller" --role=roles/run.invoker
done

# The URL the services export to, and mint their ID tokens for.
run gcloud run services describe otelcol --project="$project" --region="$region" --format='value(status.url)'
