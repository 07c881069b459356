#define _POSIX_C_SOURCE 200809L

#include "host_control.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_platform.h"

#define MAX_NAME 48u

static bool parse_int32(const char *text, int32_t *value)
{
    char *end;
    long parsed;

    errno = 0;
    parsed = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || parsed < INT32_MIN || parsed > INT32_MAX) {
        return false;
    }
    *value = (int32_t)parsed;
    return true;
}

static bool set_sensor(const char *name, const char *text)
{
    int index = host_sensor_index(name);
    int32_t value;

    if (index < 0 || !parse_int32(text, &value)) {
        return false;
    }
    host_platform.sensor_values[index] = value;
    host_platform.sensor_ok[index] = true;
    host_platform.sensor_pinned[index] = true;
    return true;
}

bool host_control_assign(const char *assignment)
{
    const char *equals = strchr(assignment, '=');
    char name[MAX_NAME];
    size_t len;

    if (equals == NULL) {
        return false;
    }
    len = (size_t)(equals - assignment);
    if (len == 0u || len >= sizeof name) {
        return false;
    }
    memcpy(name, assignment, len);
    name[len] = '\0';
    return set_sensor(name, equals + 1);
}

bool host_control_fail(const char *name)
{
    int index = host_sensor_index(name);

    if (index < 0) {
        return false;
    }
    host_platform.sensor_ok[index] = false;
    return true;
}

void host_control_print_stats(const kk_rtu_port_t *port)
{
    const kk_rtu_stats_t *s = &port->slave.stats;

    printf("stats frames=%lu frame_errors=%lu overruns=%lu other_unit=%lu broadcasts=%lu "
           "exceptions=%lu replies=%lu rx_bytes=%lu tx_bytes=%lu receiving=%d "
           "driver_switches=%lu\n",
           (unsigned long)s->frames, (unsigned long)s->frame_errors, (unsigned long)s->overruns,
           (unsigned long)s->other_unit, (unsigned long)s->broadcasts,
           (unsigned long)s->exceptions, (unsigned long)s->replies,
           (unsigned long)port->rx_bytes, (unsigned long)port->tx_bytes,
           port->rx.receiving ? 1 : 0, (unsigned long)host_platform.driver_switches);
}

void host_control_line(const char *line, const kk_rtu_port_t *port)
{
    char command[16];
    char name[MAX_NAME];
    char value[24];
    char extra[2];
    int fields = sscanf(line, "%15s %47s %23s %1s", command, name, value, extra);

    if (fields == 1 && strcmp(command, "stats") == 0) {
        host_control_print_stats(port);
    } else if (fields == 3 && strcmp(command, "set") == 0 && set_sensor(name, value)) {
        printf("ok set %s %s\n", name, value);
    } else if (fields == 2 && strcmp(command, "fail") == 0 && host_control_fail(name)) {
        printf("ok fail %s\n", name);
    } else {
        printf("error bad command: %s\n", line);
    }
    (void)fflush(stdout);
}
