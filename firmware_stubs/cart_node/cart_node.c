#include "cart_node.h"

#include <stddef.h>

#include "cart_gps.h"
#include "kk_hal.h"
#include "kk_pdu.h"
#include "kk_raw.h"

#define CART(name) KAKASHI_CART_CONTROLLER_##name
#define IN(name) (CART(name) - CART(INPUT_FIRST))
#define HOLD(name) (CART(name) - CART(HOLDING_FIRST))
#define BIT(name) ((uint16_t)(1u << CART(name##_BIT)))
#define WATCHDOG_UNIT_MS 100u /* watchdog_timeout counts 0.1 s */

static const kk_limit_t limits[] = {CART(LIMITS)};
static const uint16_t writable_coils[] = {CART(WRITABLE_COILS)};

/* E-stop buttons and fault lines: a switch that cannot be read is taken as
 * pressed, so a broken wire stops the cart instead of hiding a stop. */
static bool switch_on(uint8_t sensor)
{
    int32_t value;

    return !kk_hal_sensor_read(sensor, &value) || value != 0;
}

/* The handheld and the charger: unreadable means absent. */
static bool switch_present(uint8_t sensor)
{
    int32_t value;

    return kk_hal_sensor_read(sensor, &value) && value != 0;
}

/* |value| > limit, without negating value (INT32_MIN has no negation). */
static bool beyond(int32_t value, int32_t limit)
{
    return value > limit || value < -limit;
}

static int32_t target_speed(const cart_node_t *node)
{
    return kk_raw_as_s16(node->holding[HOLD(TARGET_SPEED)]);
}

static bool writes_target(const kk_write_t *write)
{
    uint32_t end = (uint32_t)write->address + write->count;

    return write->table == KK_WRITE_HOLDING && write->address <= CART(TARGET_SPEED) &&
           CART(TARGET_SPEED) < end;
}

static void sync_drive(cart_node_t *node)
{
    int32_t speed = target_speed(node);

    /* Brake first, then the speed: the drive never sees a speed it should
     * not drive while the stop is on its way. */
    if (node->estop_latched != node->drive_estop) {
        node->drive_estop = node->estop_latched;
        kk_hal_output(CART_OUTPUT_ESTOP, node->drive_estop ? 1 : 0);
    }
    if (speed != node->drive_speed) {
        node->drive_speed = speed;
        kk_hal_output(CART_OUTPUT_TARGET_SPEED, speed);
    }
}

static uint16_t choose_mode(const cart_node_t *node, uint32_t now_ms)
{
    uint16_t previous = node->input[IN(MODE)];
    bool settled = node->still && now_ms - node->still_since_ms >= CART_STILL_MS;

    if (node->estop_latched) {
        return CART_MODE_ESTOP;
    }
    if (node->input[IN(FAULT_MOTOR_LEFT)] != 0u) {
        return CART_MODE_FAULT;
    }
    if (node->handheld) {
        return CART_MODE_MANUAL;
    }
    if (node->charger) {
        return CART_MODE_CHARGING;
    }
    if (target_speed(node) != 0 || (previous == CART_MODE_AUTONOMOUS && !settled)) {
        return CART_MODE_AUTONOMOUS;
    }
    return CART_MODE_IDLE;
}

/* The e-stop latch, the mode, and their consequences, from the current
 * inputs: called after every measurement and every write. */
static void update(cart_node_t *node, uint32_t now_ms)
{
    bool remote = kk_bit_get(&node->map.coils, CART(REMOTE_ESTOP));
    uint16_t bits = 0u;
    uint16_t mode;

    if (node->bumper) {
        node->bumper_latched = true;
    }
    if (node->button || remote || node->bumper_latched || node->watchdog_latched) {
        node->estop_latched = true;
    }
    bits |= node->estop_latched ? BIT(ESTOP_ACTIVE) : 0u;
    bits |= node->button ? BIT(ESTOP_BUTTON) : 0u;
    bits |= remote ? BIT(ESTOP_REMOTE) : 0u;
    bits |= node->bumper_latched ? BIT(ESTOP_BUMPER) : 0u;
    bits |= node->watchdog_latched ? BIT(ESTOP_WATCHDOG) : 0u;
    node->input[IN(ESTOP_ACTIVE)] = bits;
    mode = choose_mode(node, now_ms);
    if (mode == CART_MODE_ESTOP || mode == CART_MODE_FAULT || mode == CART_MODE_MANUAL ||
        mode == CART_MODE_CHARGING) {
        /* The gateway must never read back a speed the cart is not driving. */
        node->holding[HOLD(TARGET_SPEED)] = 0u;
    }
    node->input[IN(MODE)] = mode;
    sync_drive(node);
}

static void measure_battery(cart_node_t *node, uint16_t *faults)
{
    int32_t volts;
    int32_t amps;
    int32_t soc;
    int32_t temperature;

    if (kk_hal_sensor_read(CART_SENSOR_BATTERY_VOLTAGE, &volts) &&
        kk_hal_sensor_read(CART_SENSOR_BATTERY_CURRENT, &amps) &&
        kk_hal_sensor_read(CART_SENSOR_BATTERY_SOC, &soc)) {
        node->input[IN(BATTERY_VOLTAGE)] = kk_raw_u16(volts);
        node->input[IN(BATTERY_CURRENT)] = kk_raw_s16(amps);
        node->input[IN(BATTERY_SOC)] = kk_raw_u16(soc);
        *faults |= beyond(amps, CART_BATTERY_CURRENT_LIMIT) ? BIT(FAULT_OVERCURRENT) : 0u;
        *faults |= volts < CART_BATTERY_CUTOFF_CV || soc < CART_BATTERY_CUTOFF_SOC
                       ? BIT(FAULT_BATTERY_LOW)
                       : 0u;
    } else {
        /* The last values stay: they are the BMS's last word, flagged. */
        *faults |= BIT(FAULT_BMS);
    }
    if (kk_hal_sensor_read(CART_SENSOR_BATTERY_TEMPERATURE, &temperature)) {
        node->input[IN(BATTERY_TEMPERATURE)] = kk_raw_s16(temperature);
        *faults |= temperature < CART_BATTERY_TEMP_MIN || temperature > CART_BATTERY_TEMP_MAX
                       ? BIT(FAULT_BATTERY_TEMPERATURE)
                       : 0u;
    } else {
        node->input[IN(BATTERY_TEMPERATURE)] = (uint16_t)CART(BATTERY_TEMPERATURE_INVALID);
    }
}

static void measure_motor(cart_node_t *node, uint8_t current, uint8_t fault_line, size_t reg,
                          uint16_t fault_bit, uint16_t *faults)
{
    int32_t amps;

    if (kk_hal_sensor_read(current, &amps)) {
        node->input[reg] = kk_raw_s16(amps);
        *faults |= beyond(amps, CART_MOTOR_CURRENT_LIMIT) ? BIT(FAULT_OVERCURRENT) : 0u;
        *faults |= switch_on(fault_line) ? fault_bit : 0u;
    } else {
        *faults |= fault_bit;
    }
}

static void measure_motion(cart_node_t *node, uint32_t now_ms)
{
    int32_t value;

    if (kk_hal_sensor_read(CART_SENSOR_SPEED, &value)) {
        node->input[IN(SPEED)] = kk_raw_s16(value);
        if (beyond(value, CART_STILL_CMS)) {
            node->still = false;
        } else if (!node->still) {
            node->still = true;
            node->still_since_ms = now_ms;
        }
    }
    /* The map promises an odometer that never decreases: a glitch reading
     * less than before is ignored. */
    if (kk_hal_sensor_read(CART_SENSOR_ODOMETER, &value) && value >= 0 &&
        (uint32_t)value > node->odometer) {
        node->odometer = (uint32_t)value;
    }
    node->input[IN(ODOMETER)] = (uint16_t)(node->odometer >> 16);
    node->input[IN(ODOMETER) + 1u] = (uint16_t)(node->odometer & 0xFFFFu);
    if (kk_hal_sensor_read(CART_SENSOR_PAYLOAD, &value)) {
        node->input[IN(PAYLOAD)] = kk_raw_u16(value);
    }
}

static void refresh(cart_node_t *node, uint32_t now_ms)
{
    uint16_t faults = 0u;
    kk_gnss_fix_t fix;

    measure_battery(node, &faults);
    measure_motor(node, CART_SENSOR_MOTOR_LEFT_CURRENT, CART_SENSOR_MOTOR_LEFT_FAULT,
                  IN(MOTOR_LEFT_CURRENT), BIT(FAULT_MOTOR_LEFT), &faults);
    measure_motor(node, CART_SENSOR_MOTOR_RIGHT_CURRENT, CART_SENSOR_MOTOR_RIGHT_FAULT,
                  IN(MOTOR_RIGHT_CURRENT), BIT(FAULT_MOTOR_RIGHT), &faults);
    measure_motion(node, now_ms);
    cart_gps_read(&fix);
    faults |= kk_gnss_has_position(&fix) ? 0u : BIT(FAULT_LOCALISATION);
    faults |= switch_on(CART_SENSOR_OBSTACLE_FAULT) ? BIT(FAULT_OBSTACLE_SENSOR) : 0u;
    node->input[IN(FAULT_MOTOR_LEFT)] = faults;
    node->button = switch_on(CART_SENSOR_ESTOP_BUTTON);
    node->bumper = switch_on(CART_SENSOR_BUMPER);
    node->handheld = switch_present(CART_SENSOR_HANDHELD);
    node->charger = switch_present(CART_SENSOR_CHARGER);
    node->refreshed_ms = now_ms;
}

static uint8_t check(void *ctx, const kk_write_t *write)
{
    const cart_node_t *node = (const cart_node_t *)ctx;
    bool refused_now = node->estop_latched || node->input[IN(FAULT_MOTOR_LEFT)] != 0u ||
                       node->handheld || node->charger;

    if (writes_target(write) && refused_now &&
        kk_write_value(write, (uint16_t)(CART(TARGET_SPEED) - write->address)) != 0u) {
        /* Writing 0 stays possible: stopping is always allowed. */
        return KK_EX_ILLEGAL_VALUE;
    }
    return 0u;
}

/* Coil 0 written 0: the release. The latches of bumper and watchdog clear
 * if their cause is gone; the e-stop clears only if no source is active.
 * The switches are read now, not taken from the last 10 Hz sample: a
 * release must never rest on a button state up to 100 ms old. */
static void release(cart_node_t *node)
{
    node->button = switch_on(CART_SENSOR_ESTOP_BUTTON);
    node->bumper = switch_on(CART_SENSOR_BUMPER);
    node->watchdog_latched = false;
    node->bumper_latched = node->bumper;
    if (!node->button && !node->bumper) {
        node->estop_latched = false;
    }
}

static void applied(void *ctx, const kk_write_t *write)
{
    cart_node_t *node = (cart_node_t *)ctx;
    uint32_t now_ms = kk_hal_millis();

    if (writes_target(write)) {
        /* Any write of target_speed, the same value included, feeds the
         * watchdog: it proves the gateway and the link are alive. */
        node->target_written_ms = now_ms;
    }
    if (write->table == KK_WRITE_COILS && kk_write_value(write, 0u) == 0u) {
        release(node);
    }
    update(node, now_ms);
}

static void run_watchdog(cart_node_t *node, uint32_t now_ms)
{
    uint32_t limit_ms = (uint32_t)node->holding[HOLD(WATCHDOG_TIMEOUT)] * WATCHDOG_UNIT_MS;

    if (target_speed(node) != 0 && now_ms - node->target_written_ms >= limit_ms) {
        node->watchdog_latched = true;
        update(node, now_ms);
    }
}

bool cart_node_init(cart_node_t *node, const cart_node_config_t *config)
{
    kk_write_hooks_t hooks;
    uint32_t now_ms = kk_hal_millis();
    size_t i;

    for (i = 0; i < KAKASHI_CART_CONTROLLER_INPUT_COUNT; i++) {
        node->input[i] = 0u;
    }
    for (i = 0; i < sizeof node->coils; i++) {
        node->coils[i] = 0u;
    }
    node->holding[HOLD(TARGET_SPEED)] = 0u;
    node->holding[HOLD(WATCHDOG_TIMEOUT)] = CART_WATCHDOG_DEFAULT;
    node->map.coils.first = CART(COIL_FIRST);
    node->map.coils.count = CART(COIL_COUNT);
    node->map.coils.bits = node->coils;
    node->map.input.first = CART(INPUT_FIRST);
    node->map.input.count = CART(INPUT_COUNT);
    node->map.input.regs = node->input;
    node->map.holding.first = CART(HOLDING_FIRST);
    node->map.holding.count = CART(HOLDING_COUNT);
    node->map.holding.regs = node->holding;
    node->map.limits = limits;
    node->map.limit_count = CART(LIMIT_COUNT);
    node->map.writable_coils = writable_coils;
    node->map.writable_coil_count = CART(WRITABLE_COIL_COUNT);
    node->button = false;
    node->bumper = false;
    node->bumper_latched = false;
    node->watchdog_latched = false;
    node->estop_latched = false;
    node->handheld = false;
    node->charger = false;
    node->still = false;
    node->still_since_ms = now_ms;
    node->target_written_ms = now_ms;
    node->odometer = 0u;
    /* The first GPS epoch goes out on the first step. */
    node->gps_sent_ms = now_ms - CART_GPS_PERIOD_MS;
    /* Whatever the drive believed before a reset: speed 0, no stop. */
    node->drive_speed = 0;
    node->drive_estop = false;
    kk_hal_output(CART_OUTPUT_TARGET_SPEED, 0);
    kk_hal_output(CART_OUTPUT_ESTOP, 0);
    refresh(node, now_ms);
    update(node, now_ms);
    hooks.check = check;
    hooks.applied = applied;
    hooks.ctx = node;
    return kk_rtu_port_init(&node->port, config->unit, config->baudrate, config->bits_per_char,
                            &node->map, &hooks);
}

uint32_t cart_node_step(cart_node_t *node)
{
    uint32_t wait_us = kk_rtu_port_poll(&node->port);
    uint32_t now_ms = kk_hal_millis();
    uint32_t since_ms;

    if (now_ms - node->refreshed_ms >= CART_REFRESH_MS) {
        refresh(node, now_ms);
        update(node, now_ms);
    }
    run_watchdog(node, now_ms);
    if (now_ms - node->gps_sent_ms >= CART_GPS_PERIOD_MS) {
        kk_gnss_fix_t fix;
        cart_gps_read(&fix);
        (void)cart_gps_send(&fix);
        node->gps_sent_ms = now_ms;
    }
    since_ms = now_ms - node->refreshed_ms;
    since_ms = since_ms < CART_REFRESH_MS ? CART_REFRESH_MS - since_ms : 0u;
    return wait_us < since_ms * 1000u ? wait_us : since_ms * 1000u;
}
