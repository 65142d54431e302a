#!/bin/sh
# Reloads systemd after removal. The storage directory (checkpoints, dead
# letters) and the user stay: a reinstall reads on where it stopped.
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
