/* kk_hal on a POSIX host: the bus and auxiliary UARTs are serial ports
 * (ptys in the tests), time is CLOCK_MONOTONIC, sensors are values set from
 * stdin, outputs are printed as "output NAME VALUE" lines. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host_platform.h"
#include "host_serial.h"
#include "kk_hal.h"

host_platform_t host_platform = {
    -1, -1, false, false, 0u, NULL, 0u, {0}, {false}, {false}, -1, -1, NULL, 0u,
};

int host_sensor_index(const char *name)
{
    size_t i;

    for (i = 0; i < host_platform.sensor_count; i++) {
        if (strcmp(host_platform.sensor_names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

size_t kk_hal_bus_read(uint8_t *buf, size_t cap)
{
    ssize_t n;

    if (host_platform.bus_fd < 0 || host_platform.bus_failed) {
        return 0u;
    }
    n = read(host_platform.bus_fd, buf, cap);
    if (n > 0) {
        return (size_t)n;
    }
    /* 0 is "nothing yet" on a raw tty (VMIN = VTIME = 0), not an end of
     * file; a pty whose other end closed fails with EIO: the line is gone. */
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        host_platform.bus_failed = true;
    }
    return 0u;
}

void kk_hal_bus_write(const uint8_t *data, size_t len)
{
    if (!host_platform.transmitting) {
        /* A reply sent without the driver enabled never reaches the bus on
         * real hardware: make the mistake loud here. */
        fprintf(stderr, "error: bus write with the RS-485 driver disabled\n");
        host_platform.bus_failed = true;
        return;
    }
    if (!host_serial_write(host_platform.bus_fd, data, len)) {
        host_platform.bus_failed = true;
    }
}

void kk_hal_bus_driver(bool transmit)
{
    if (transmit && !host_platform.transmitting) {
        host_platform.driver_switches++;
    }
    host_platform.transmitting = transmit;
}

static uint64_t monotonic_us(void)
{
    struct timespec ts;

    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Both counters wrap like a microcontroller's: conversion to uint32_t is
 * defined modulo 2^32. */
uint32_t kk_hal_micros(void)
{
    return (uint32_t)monotonic_us();
}

uint32_t kk_hal_millis(void)
{
    return (uint32_t)(monotonic_us() / 1000u);
}

/* A GNSS receiver's clock: the host's UTC date or time of day. */
static bool utc_clock(bool date, int32_t *value)
{
    struct timespec ts;
    struct tm utc;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || gmtime_r(&ts.tv_sec, &utc) == NULL) {
        return false;
    }
    if (date) {
        *value = (int32_t)((utc.tm_year + 1900) * 10000 + (utc.tm_mon + 1) * 100 + utc.tm_mday);
    } else {
        *value = (int32_t)(((utc.tm_hour * 60 + utc.tm_min) * 60 + utc.tm_sec) * 1000 +
                           ts.tv_nsec / 1000000);
    }
    return true;
}

bool kk_hal_sensor_read(uint8_t id, int32_t *value)
{
    if (id >= host_platform.sensor_count || !host_platform.sensor_ok[id]) {
        return false;
    }
    if (!host_platform.sensor_pinned[id] &&
        (id == host_platform.utc_date_sensor || id == host_platform.utc_time_sensor)) {
        return utc_clock(id == host_platform.utc_date_sensor, value);
    }
    *value = host_platform.sensor_values[id];
    return true;
}

void kk_hal_output(uint8_t id, int32_t value)
{
    const char *name = id < host_platform.output_count ? host_platform.output_names[id] : "?";

    printf("output %s %ld\n", name, (long)value);
    (void)fflush(stdout);
}

void kk_hal_aux_write(const uint8_t *data, size_t len)
{
    if (host_platform.aux_fd >= 0) {
        (void)host_serial_write(host_platform.aux_fd, data, len);
    }
}
