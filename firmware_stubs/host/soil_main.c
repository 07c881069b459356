/* The soil node as a Linux process on a serial port (a pty in the tests). */
#include "host_run.h"
#include "soil_node.h"

#define AS_NAME(id, name) name,

static const char *const sensor_names[] = {SOIL_SENSORS(AS_NAME)};
static const char *const output_names[] = {SOIL_OUTPUTS(AS_NAME)};
/* A healthy node in moist loam: 31.2 %, 18.5 degC, 850 uS/cm, 3.95 V. */
static const int32_t sensor_defaults[SOIL_SENSOR_COUNT] = {312, 185, 850, 3950};

static soil_node_t node;

static bool start(uint8_t unit, uint32_t baudrate, uint8_t bits_per_char)
{
    soil_node_config_t config;

    config.unit = unit;
    config.baudrate = baudrate;
    config.bits_per_char = bits_per_char;
    return soil_node_init(&node, &config);
}

static uint32_t step(void)
{
    return soil_node_step(&node);
}

static const kk_rtu_port_t *port(void)
{
    return &node.port;
}

int main(int argc, char **argv)
{
    static const host_app_t app = {
        "soil_node",  sensor_names, sensor_defaults, SOIL_SENSOR_COUNT, output_names,
        SOIL_OUTPUT_COUNT, false, -1, -1, 9600u, start, step, port,
    };

    return host_run(&app, argc, argv);
}
