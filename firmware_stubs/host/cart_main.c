/* The cart telemetry node as a Linux process: Modbus on --port, NMEA on --aux. */
#include "cart_node.h"
#include "host_run.h"

#define AS_NAME(id, name) name,

static const char *const sensor_names[] = {CART_SENSORS(AS_NAME)};
static const char *const output_names[] = {CART_OUTPUTS(AS_NAME)};
/* A healthy cart standing in its yard with a GPS fix: 52.00 V, -1.50 A,
 * 80.0 %, 25.0 degC, motors idle, odometer 1234.5 m, 42.0 kg aboard; fix at
 * 35.6812345 N 139.7671234 E, 40.0 m, 9 satellites, HDOP 0.9. Date and time
 * follow the host's UTC clock unless a test sets them. */
static const int32_t sensor_defaults[CART_SENSOR_COUNT] = {
    5200, -150, 800, 250, 0, 0, 0, 12345, 420,         /* battery .. payload */
    0, 0, 0, 0, 0, 0, 0,                               /* switches and fault lines */
    1, 9, 9, 356812345, 1397671234, 400, 0, 0, 0, 0,   /* GNSS */
};

static cart_node_t node;

static bool start(uint8_t unit, uint32_t baudrate, uint8_t bits_per_char)
{
    cart_node_config_t config;

    config.unit = unit;
    config.baudrate = baudrate;
    config.bits_per_char = bits_per_char;
    return cart_node_init(&node, &config);
}

static uint32_t step(void)
{
    return cart_node_step(&node);
}

static const kk_rtu_port_t *port(void)
{
    return &node.port;
}

int main(int argc, char **argv)
{
    static const host_app_t app = {
        "cart_node", sensor_names, sensor_defaults, CART_SENSOR_COUNT, output_names,
        CART_OUTPUT_COUNT, true, CART_SENSOR_GNSS_DATE, CART_SENSOR_GNSS_TIME, 115200u,
        start, step, port,
    };

    return host_run(&app, argc, argv);
}
