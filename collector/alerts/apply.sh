#!/usr/bin/env bash
# Creates the collector's alert policies (collector/alerts/*.json) in a project's
# Cloud Monitoring, each sending to the notification channels given (their
# resource names: projects/PROJECT_ID/notificationChannels/ID, from
# `gcloud beta monitoring channels list`). Every command is printed first.
#
# Usage: collector/alerts/apply.sh PROJECT_ID [NOTIFICATION_CHANNEL...]
#
# `create` makes a new policy each run; to change one later, edit its file and
# `gcloud monitoring policies update POLICY_NAME --policy-from-file=FILE`.
# The tests run this script with a recording gcloud (apply-alerts.test.ts).
set -euo pipefail
if [[ $# -lt 1 ]]; then
  sed -n '7p' "$0" >&2
  exit 2
fi
project="$1"
shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
channels=()
if [[ $# -gt 0 ]]; then
  channels=("--notification-channels=$(IFS=,; echo "$*")")
fi

for policy in "$here"/*.json; do
  printf '+ gcloud monitoring policies create --project=%s --policy-from-file=%s %s\n' "$project" "$policy" "${channels[*]:-}" >&2
  gcloud monitoring policies create --project="$project" --policy-from-file="$policy" "${channels[@]}"
done
