#!/bin/sh
# Lets the user read Elemta's logs (the elemta group when there is one,
# adm otherwise, Debian's group of readable logs), owns the storage
# directory to it, and (re)starts the service where systemd runs.
set -e
for group in elemta adm; do
    if getent group "$group" >/dev/null 2>&1; then
        usermod -a -G "$group" otelcol-elemta
        break
    fi
done
mkdir -p /var/lib/otelcol-elemta
chown otelcol-elemta:otelcol-elemta /var/lib/otelcol-elemta
chmod 0750 /var/lib/otelcol-elemta
chown root:otelcol-elemta /etc/otelcol-elemta/otelcol-elemta.conf
chmod 0640 /etc/otelcol-elemta/otelcol-elemta.conf
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable otelcol-elemta.service >/dev/null 2>&1 || true
    systemctl try-restart otelcol-elemta.service || true
fi
