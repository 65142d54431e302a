#!/bin/sh
# Creates the otelcol-elemta system user and group before the files land.
set -e
getent group otelcol-elemta >/dev/null 2>&1 || groupadd --system otelcol-elemta
if ! getent passwd otelcol-elemta >/dev/null 2>&1; then
    useradd --system --gid otelcol-elemta --no-create-home \
        --home-dir /var/lib/otelcol-elemta --shell /usr/sbin/nologin \
        --comment "otelcol-elemta" otelcol-elemta
fi
