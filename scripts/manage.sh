#!/usr/bin/env bash
# Operates qwen-image-api under Docker Compose (default) or Kubernetes (--k8s). Run from anywhere; see --help.
set -euo pipefail

ROOT="${QWEN_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
URL="${QWEN_URL:-http://localhost:8000}"
API_KEY="${QWEN_API_KEY:-}"
NAMESPACE="${QWEN_NAMESPACE:-qwen}"
OVERLAY="${QWEN_OVERLAY:-cpu}"
IMAGE="${QWEN_IMAGE:-qwen-image-api}"
BACKUP_DIR="${QWEN_BACKUP_DIR:-$ROOT/backups}"
HISTORY="$ROOT/.qwen-deploy-history"
MODE=compose

usage() {
    cat <<'USAGE'
Usage: scripts/manage.sh [--k8s] <command> [argument]

Commands (Docker Compose by default; --k8s: the Deployment in $QWEN_NAMESPACE, default "qwen"):
  start            start the service (compose: docker-compose up -d; k8s: apply the $QWEN_OVERLAY overlay)
  stop             stop it; running generations finish first (SIGTERM drains)
  restart          stop, then start
  status           containers or pods, and the image they run
  health           GET /health and /info at $QWEN_URL (default http://localhost:8000); exit 1 if not ready
  logs [N]         the last N log lines (default 100), then follow
  backup           config, keys, .env, TLS material and a checksum manifest of the model folder
                   into $QWEN_BACKUP_DIR (default backups/); prints the archive's path
  restore <file>   put a backup's files back and verify the model folder against its manifest
  rollout [tag]    build and start a new version (compose) or set the image and wait (k8s); the tag defaults
                   to <version>-<git commit>; the previous tag is remembered for rollback
  rollback         return to the previous tag (compose) or the previous ReplicaSet (k8s: kubectl rollout undo)
  cleanup          remove dangling images, keep the 10 newest backups, delete rotated logs older than 14 days
  version          the image tag of this checkout: <version>-<git commit>

Environment: QWEN_URL, QWEN_API_KEY (for /info when keys are required), QWEN_NAMESPACE, QWEN_OVERLAY (cpu|gpu),
QWEN_IMAGE (image name), QWEN_MODELS_DIR (model folder, default models/), QWEN_BACKUP_DIR, QWEN_HOME.
USAGE
}

compose() {
    if command -v docker-compose > /dev/null 2>&1; then
        (cd "$ROOT" && docker-compose "$@")
    else
        (cd "$ROOT" && docker compose "$@")
    fi
}

kube() {
    kubectl -n "$NAMESPACE" "$@"
}

version_tag() {
    local version commit
    version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$ROOT/pom.xml" | head -n 1)"
    commit="$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)"
    echo "${version:-dev}-${commit}"
}

current_tag() {
    if [ -f "$HISTORY" ]; then tail -n 1 "$HISTORY"; fi
}

health() {
    local body status key_header=()
    if [ -n "$API_KEY" ]; then key_header=(-H "X-API-Key: $API_KEY"); fi
    status="$(curl -s -o /tmp/qwen-health.$$ -w '%{http_code}' --max-time 10 "$URL/health" || true)"
    body="$(cat /tmp/qwen-health.$$ 2> /dev/null || true)"
    rm -f /tmp/qwen-health.$$
    echo "health ($status): ${body:-no answer}"
    echo "info: $(curl -s --max-time 10 "${key_header[@]}" "$URL/info" || echo 'no answer')"
    [ "$status" = 200 ]
}

backup() {
    local stamp work archive models
    stamp="$(date -u +%Y%m%dT%H%M%SZ)"
    work="$(mktemp -d)"
    models="${QWEN_MODELS_DIR:-$ROOT/models}"
    mkdir -p "$work/config" "$work/tls" "$BACKUP_DIR"
    for f in config.yaml config.prod.yaml .env api-keys; do
        if [ -f "$ROOT/config/$f" ]; then cp -p "$ROOT/config/$f" "$work/config/"; fi
    done
    if [ -d "$ROOT/deploy/nginx/tls" ]; then
        find "$ROOT/deploy/nginx/tls" -maxdepth 1 -type f \( -name '*.crt' -o -name '*.key' -o -name '*.pem' \) \
            -exec cp -p {} "$work/tls/" \;
    fi
    if [ -d "$models" ]; then
        (cd "$models" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) > "$work/models.sha256"
    fi
    current_tag > "$work/image-tag" || true
    archive="$BACKUP_DIR/qwen-backup-$stamp.tar.gz"
    tar -C "$work" -czf "$archive" .
    chmod 600 "$archive"
    rm -rf "$work"
    echo "$archive"
}

restore() {
    local archive="${1:?restore needs a backup file}" work models
    [ -f "$archive" ] || { echo "no such backup: $archive" >&2; return 1; }
    work="$(mktemp -d)"
    tar -C "$work" -xzf "$archive"
    mkdir -p "$ROOT/config"
    find "$work/config" -maxdepth 1 -type f -exec cp -p {} "$ROOT/config/" \;
    if [ -n "$(ls -A "$work/tls" 2> /dev/null)" ]; then
        mkdir -p "$ROOT/deploy/nginx/tls"
        cp -p "$work"/tls/* "$ROOT/deploy/nginx/tls/"
    fi
    echo "restored configuration from $archive"
    models="${QWEN_MODELS_DIR:-$ROOT/models}"
    if [ -s "$work/models.sha256" ]; then
        if (cd "$models" && sha256sum --quiet -c "$work/models.sha256"); then
            echo "model folder matches the backup's manifest"
        else
            echo "model folder differs from the backup's manifest (see above): restore the model files" >&2
            rm -rf "$work"
            return 1
        fi
    fi
    rm -rf "$work"
}

rollout() {
    local tag="${1:-$(version_tag)}"
    if [ "$MODE" = k8s ]; then
        kube set image deployment/qwen-image-api "qwen-image-api=$IMAGE:$tag"
        kube annotate deployment/qwen-image-api kubernetes.io/change-cause="rollout $IMAGE:$tag" --overwrite
        kube rollout status deployment/qwen-image-api --timeout=20m
    else
        (cd "$ROOT" && ./mvnw -q -B package -DskipTests)
        QWEN_TAG="$tag" QWEN_REVISION="${tag##*-}" compose build qwen-image-api
        QWEN_TAG="$tag" compose up -d qwen-image-api
        echo "$tag" >> "$HISTORY"
        wait_ready
    fi
}

rollback() {
    if [ "$MODE" = k8s ]; then
        kube rollout undo deployment/qwen-image-api
        kube rollout status deployment/qwen-image-api --timeout=20m
        return
    fi
    local previous
    previous="$(tail -n 2 "$HISTORY" 2> /dev/null | head -n 1 || true)"
    if [ -z "$previous" ] || [ "$previous" = "$(current_tag)" ]; then
        echo "no previous version recorded in $HISTORY" >&2
        return 1
    fi
    QWEN_TAG="$previous" compose up -d qwen-image-api
    echo "$previous" >> "$HISTORY"
    wait_ready
}

wait_ready() {
    local i
    for i in $(seq 1 120); do
        if curl -sf -o /dev/null --max-time 5 "$URL/q/health/ready"; then
            echo "ready after ${i}x5 s"
            return 0
        fi
        sleep 5
    done
    echo "not ready after 10 minutes" >&2
    return 1
}

cleanup() {
    docker image prune -f > /dev/null 2>&1 || true
    if [ -d "$BACKUP_DIR" ]; then
        find "$BACKUP_DIR" -maxdepth 1 -name 'qwen-backup-*.tar.gz' | sort -r | tail -n +11 | xargs -r rm -f
    fi
    if [ -d "$ROOT/logs" ]; then
        find "$ROOT/logs" -name 'qwen-image-api.log.*' -mtime +14 -delete
    fi
    echo "cleaned up"
}

main() {
    if [ "${1:-}" = "--k8s" ]; then MODE=k8s; shift; fi
    local command="${1:-}"
    shift || true
    case "$command" in
        start)
            if [ "$MODE" = k8s ]; then
                kube apply -k "$ROOT/k8s/overlays/$OVERLAY"
                kube rollout status deployment/qwen-image-api --timeout=20m
            else
                compose up -d
            fi ;;
        stop)
            if [ "$MODE" = k8s ]; then kube scale deployment/qwen-image-api --replicas=0; else compose stop; fi ;;
        restart)
            if [ "$MODE" = k8s ]; then
                kube rollout restart deployment/qwen-image-api
                kube rollout status deployment/qwen-image-api --timeout=20m
            else
                compose restart
            fi ;;
        status)
            if [ "$MODE" = k8s ]; then
                kube get deployment,pods -l app.kubernetes.io/name=qwen-image-api -o wide
            else
                compose ps
            fi ;;
        health) health ;;
        logs)
            if [ "$MODE" = k8s ]; then
                kube logs -f --tail="${1:-100}" deployment/qwen-image-api
            else
                compose logs -f --tail="${1:-100}" qwen-image-api
            fi ;;
        backup) backup ;;
        restore) restore "$@" ;;
        rollout) rollout "$@" ;;
        rollback) rollback ;;
        cleanup) cleanup ;;
        version) version_tag ;;
        -h|--help|help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
