/* The soil node: measures the soil and its battery every sample_interval,
 * serves them on Modbus RTU with the map of profile kakashi_soil_node, and
 * drives the irrigation valve relay from coil 0, closing it by itself after
 * valve_timeout so a gateway that dies mid-irrigation never floods a field. */
#ifndef SOIL_NODE_H
#define SOIL_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "kakashi_soil_node_regs.h"
#include "kk_map.h"
#include "kk_rtu_port.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sensors (kk_hal_sensor_read ids), each in its register's raw unit:
 * moisture 0.1 %, temperature 0.1 degC, EC uS/cm, battery mV. */
#define SOIL_SENSORS(X)                                                                    \
    X(SOIL_SENSOR_MOISTURE, "moisture")                                                    \
    X(SOIL_SENSOR_TEMPERATURE, "temperature")                                              \
    X(SOIL_SENSOR_EC, "ec")                                                                \
    X(SOIL_SENSOR_BATTERY_VOLTAGE, "battery_voltage")

/* Outputs (kk_hal_output ids): the valve relay, 1 open, 0 closed. */
#define SOIL_OUTPUTS(X) X(SOIL_OUTPUT_VALVE, "valve")

#define SOIL_AS_ENUM(id, name) id,
enum soil_sensor { SOIL_SENSORS(SOIL_AS_ENUM) SOIL_SENSOR_COUNT };
enum soil_output { SOIL_OUTPUTS(SOIL_AS_ENUM) SOIL_OUTPUT_COUNT };

#define SOIL_SAMPLE_INTERVAL_DEFAULT_S 60u
#define SOIL_VALVE_TIMEOUT_DEFAULT_S 1800u
#define SOIL_BATTERY_LOW_MV 3300

typedef struct {
    uint8_t unit;
    uint32_t baudrate;
    uint8_t bits_per_char; /* 10 for 8N1, 11 for 8E1 or 8N2 */
} soil_node_config_t;

typedef struct {
    uint16_t input[KAKASHI_SOIL_NODE_INPUT_COUNT];
    uint16_t holding[KAKASHI_SOIL_NODE_HOLDING_COUNT];
    uint8_t coils[(KAKASHI_SOIL_NODE_COIL_COUNT + 7u) / 8u];
    kk_map_t map; /* points into the arrays above: a node is never moved */
    kk_rtu_port_t port;
    uint32_t sampled_ms;
    bool valve_open;
    uint32_t valve_opened_ms;
} soil_node_t;

/* Measures once, closes the valve and starts serving. False for an invalid
 * unit or line setting. */
bool soil_node_init(soil_node_t *node, const soil_node_config_t *config);

/* One pass of the main loop: answer the bus, measure when due, close the
 * valve when its time is up. Returns the microseconds until it must run
 * again if no byte arrives, so a caller may sleep until then. */
uint32_t soil_node_step(soil_node_t *node);

#ifdef __cplusplus
}
#endif

#endif
