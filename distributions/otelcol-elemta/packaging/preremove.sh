#!/bin/sh
# Stops the service on removal; an upgrade restarts it after (postinstall).
set -e
case "$1" in
    remove|0)
        if [ -d /run/systemd/system ]; then
            systemctl stop otelcol-elemta.service >/dev/null 2>&1 || true
            systemctl disable otelcol-elemta.service >/dev/null 2>&1 || true
        fi
        ;;
esac
