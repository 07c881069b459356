#include "soil_node.h"

#include <stddef.h>

#include "kk_hal.h"
#include "kk_pdu.h"
#include "kk_raw.h"

#define REG(point) (KAKASHI_SOIL_NODE_##point - KAKASHI_SOIL_NODE_INPUT_FIRST)
#define HOLD(point) (KAKASHI_SOIL_NODE_##point - KAKASHI_SOIL_NODE_HOLDING_FIRST)
#define STATUS_BIT(point) ((uint16_t)(1u << KAKASHI_SOIL_NODE_##point##_BIT))
#define MS_PER_S 1000u
/* valve_remaining counts whole seconds: run at least once a second. */
#define MAX_SLEEP_US 1000000u

static const kk_limit_t limits[] = {KAKASHI_SOIL_NODE_LIMITS};
static const uint16_t writable_coils[] = {KAKASHI_SOIL_NODE_WRITABLE_COILS};

static void set_status(soil_node_t *node, uint16_t bit, bool on)
{
    uint16_t *status = &node->input[REG(PROBE_FAULT)];

    *status = on ? (uint16_t)(*status | bit) : (uint16_t)(*status & (uint16_t)~bit);
}

/* One probe value into its register: its sentinel when the probe is silent. */
static bool measure(soil_node_t *node, uint8_t sensor, size_t reg, uint16_t sentinel,
                    bool is_signed)
{
    int32_t value;

    if (!kk_hal_sensor_read(sensor, &value)) {
        node->input[reg] = sentinel;
        return false;
    }
    node->input[reg] = is_signed ? kk_raw_s16(value) : kk_raw_u16(value);
    return true;
}

static void sample(soil_node_t *node, uint32_t now_ms)
{
    bool probe_ok = true;
    int32_t battery_mv;

    probe_ok = measure(node, SOIL_SENSOR_MOISTURE, REG(MOISTURE),
                       KAKASHI_SOIL_NODE_MOISTURE_INVALID, false) &&
               probe_ok;
    probe_ok = measure(node, SOIL_SENSOR_TEMPERATURE, REG(TEMPERATURE),
                       KAKASHI_SOIL_NODE_TEMPERATURE_INVALID, true) &&
               probe_ok;
    probe_ok = measure(node, SOIL_SENSOR_EC, REG(EC), KAKASHI_SOIL_NODE_EC_INVALID, false) &&
               probe_ok;
    set_status(node, STATUS_BIT(PROBE_FAULT), !probe_ok);
    if (kk_hal_sensor_read(SOIL_SENSOR_BATTERY_VOLTAGE, &battery_mv)) {
        node->input[REG(BATTERY_VOLTAGE)] = kk_raw_u16(battery_mv);
        set_status(node, STATUS_BIT(BATTERY_LOW), battery_mv < SOIL_BATTERY_LOW_MV);
    } else {
        node->input[REG(BATTERY_VOLTAGE)] = (uint16_t)KAKASHI_SOIL_NODE_BATTERY_VOLTAGE_INVALID;
        set_status(node, STATUS_BIT(BATTERY_LOW), false);
    }
    node->sampled_ms = now_ms;
}

static void set_valve(soil_node_t *node, bool open, uint32_t now_ms)
{
    if (open) {
        /* Writing 1 again restarts the timeout: a gateway keeps the valve
         * open only by saying so again, like a watchdog. */
        node->valve_opened_ms = now_ms;
    }
    if (open != node->valve_open) {
        node->valve_open = open;
        kk_hal_output(SOIL_OUTPUT_VALVE, open ? 1 : 0);
    }
    kk_bit_put(&node->map.coils, KAKASHI_SOIL_NODE_VALVE, open);
}

static uint32_t valve_timeout_ms(const soil_node_t *node)
{
    return (uint32_t)node->holding[HOLD(VALVE_TIMEOUT)] * MS_PER_S;
}

/* Closes the valve when its time is up; keeps valve_remaining current. */
static void run_valve(soil_node_t *node, uint32_t now_ms)
{
    uint32_t open_ms = now_ms - node->valve_opened_ms;
    uint32_t limit_ms = valve_timeout_ms(node);

    if (node->valve_open && open_ms >= limit_ms) {
        set_valve(node, false, now_ms);
        set_status(node, STATUS_BIT(VALVE_TIMED_OUT), true);
    }
    node->input[REG(VALVE_REMAINING)] =
        node->valve_open ? (uint16_t)((limit_ms - open_ms + MS_PER_S - 1u) / MS_PER_S) : 0u;
}

static void applied(void *ctx, const kk_write_t *write)
{
    soil_node_t *node = (soil_node_t *)ctx;
    uint32_t now_ms = kk_hal_millis();

    if (write->table == KK_WRITE_COILS && write->address == KAKASHI_SOIL_NODE_VALVE) {
        set_status(node, STATUS_BIT(VALVE_TIMED_OUT), false);
        set_valve(node, kk_write_value(write, 0u) != 0u, now_ms);
    }
    /* A new valve_timeout counts from the last opening, at once. */
    run_valve(node, now_ms);
}

bool soil_node_init(soil_node_t *node, const soil_node_config_t *config)
{
    kk_write_hooks_t hooks;
    size_t i;

    for (i = 0; i < KAKASHI_SOIL_NODE_INPUT_COUNT; i++) {
        node->input[i] = 0u;
    }
    for (i = 0; i < sizeof node->coils; i++) {
        node->coils[i] = 0u;
    }
    node->holding[HOLD(SAMPLE_INTERVAL)] = SOIL_SAMPLE_INTERVAL_DEFAULT_S;
    node->holding[HOLD(VALVE_TIMEOUT)] = SOIL_VALVE_TIMEOUT_DEFAULT_S;
    node->map.coils.first = KAKASHI_SOIL_NODE_COIL_FIRST;
    node->map.coils.count = KAKASHI_SOIL_NODE_COIL_COUNT;
    node->map.coils.bits = node->coils;
    node->map.input.first = KAKASHI_SOIL_NODE_INPUT_FIRST;
    node->map.input.count = KAKASHI_SOIL_NODE_INPUT_COUNT;
    node->map.input.regs = node->input;
    node->map.holding.first = KAKASHI_SOIL_NODE_HOLDING_FIRST;
    node->map.holding.count = KAKASHI_SOIL_NODE_HOLDING_COUNT;
    node->map.holding.regs = node->holding;
    node->map.limits = limits;
    node->map.limit_count = KAKASHI_SOIL_NODE_LIMIT_COUNT;
    node->map.writable_coils = writable_coils;
    node->map.writable_coil_count = KAKASHI_SOIL_NODE_WRITABLE_COIL_COUNT;
    hooks.check = NULL;
    hooks.applied = applied;
    hooks.ctx = node;
    node->valve_open = true; /* so that closing it drives the relay once */
    node->valve_opened_ms = kk_hal_millis();
    set_valve(node, false, node->valve_opened_ms);
    sample(node, kk_hal_millis());
    return kk_rtu_port_init(&node->port, config->unit, config->baudrate, config->bits_per_char,
                            &node->map, &hooks);
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

uint32_t soil_node_step(soil_node_t *node)
{
    uint32_t wait_us = kk_rtu_port_poll(&node->port);
    uint32_t now_ms = kk_hal_millis();
    uint32_t interval_ms = (uint32_t)node->holding[HOLD(SAMPLE_INTERVAL)] * MS_PER_S;
    uint32_t since_ms = now_ms - node->sampled_ms;

    if (since_ms >= interval_ms) {
        sample(node, now_ms);
        since_ms = 0u;
    }
    run_valve(node, now_ms);
    /* Sleep no longer than until the next measurement, capped in
     * milliseconds first so the conversion to microseconds cannot overflow. */
    return min_u32(wait_us, min_u32(interval_ms - since_ms, MAX_SLEEP_US / MS_PER_S) * MS_PER_S);
}
