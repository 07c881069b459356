/* The host firmware's process: command line, ports, the main loop sleeping
 * in poll() until a byte or the node's next deadline, and a control channel
 * on stdin/stdout through which a test plays the sensors. One node type per
 * binary; soil_main.c and cart_main.c describe theirs. */
#ifndef HOST_RUN_H
#define HOST_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kk_rtu_port.h"

typedef struct {
    const char *name;
    const char *const *sensor_names;
    const int32_t *sensor_defaults; /* a plausible healthy reading for each */
    size_t sensor_count;
    const char *const *output_names;
    size_t output_count;
    bool has_aux; /* a second UART (--aux PATH) */
    int utc_date_sensor; /* sensors that follow the host's UTC clock; -1: none */
    int utc_time_sensor;
    uint32_t default_baudrate;
    /* Starts the node once the ports are open; false for invalid settings. */
    bool (*start)(uint8_t unit, uint32_t baudrate, uint8_t bits_per_char);
    uint32_t (*step)(void);
    const kk_rtu_port_t *(*port)(void);
} host_app_t;

/* Runs until SIGTERM, SIGINT or the end of stdin: 0 then, 1 when a port
 * failed, 2 for a bad command line. */
int host_run(const host_app_t *app, int argc, char **argv);

#endif
