/* The state behind the host's kk_hal implementation: the ports, and the
 * simulated sensors and outputs a test drives through stdin and watches on
 * stdout. */
#ifndef HOST_PLATFORM_H
#define HOST_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOST_MAX_SENSORS 32u

typedef struct {
    int bus_fd;
    int aux_fd;                /* -1 when the node has no auxiliary UART */
    bool bus_failed;           /* the bus port hung up or failed */
    bool transmitting;         /* the simulated RS-485 driver enable */
    uint32_t driver_switches;  /* times the driver was enabled */
    const char *const *sensor_names;
    size_t sensor_count;
    int32_t sensor_values[HOST_MAX_SENSORS];
    bool sensor_ok[HOST_MAX_SENSORS];
    bool sensor_pinned[HOST_MAX_SENSORS]; /* set by a test: no longer follows the clock */
    int utc_date_sensor; /* reads the host's UTC date (YYYYMMDD) unless pinned; -1: none */
    int utc_time_sensor; /* reads the host's UTC time of day (ms) unless pinned; -1: none */
    const char *const *output_names;
    size_t output_count;
} host_platform_t;

/* The one platform instance the kk_hal functions use. */
extern host_platform_t host_platform;

/* The index of sensor `name`, or -1. */
int host_sensor_index(const char *name);

#endif
