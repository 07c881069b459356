/* The cart telemetry node: serves the map of profile kakashi_cart_controller
 * (docs/devices.md, "Kakashi cart controller") on Modbus RTU and enforces
 * its command rules: write limits, the e-stop latch, the command watchdog
 * and the modes. Its GPS position goes out as NMEA GGA and RMC on a second
 * UART (cart_gps.h). The drive itself (braking, motor control) is another
 * controller's business: this node tells it the target speed and the
 * e-stop through kk_hal_output(). */
#ifndef CART_NODE_H
#define CART_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "cart_io.h"
#include "kakashi_cart_controller_regs.h"
#include "kk_map.h"
#include "kk_rtu_port.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cart_mode {
    CART_MODE_IDLE = 0,
    CART_MODE_MANUAL = 1,
    CART_MODE_AUTONOMOUS = 2,
    CART_MODE_CHARGING = 3,
    CART_MODE_FAULT = 4,
    CART_MODE_ESTOP = 5
};

#define CART_REFRESH_MS 100u         /* measurements at 10 Hz, as the map promises */
#define CART_GPS_PERIOD_MS 1000u     /* one GGA + RMC epoch a second */
#define CART_STILL_MS 1000u          /* autonomous -> idle after 1 s standing still */
#define CART_STILL_CMS 5             /* |speed| up to 0.05 m/s is standing still */
#define CART_WATCHDOG_DEFAULT 10u    /* 1.0 s, in 0.1 s */
#define CART_MOTOR_CURRENT_LIMIT 8000    /* 80.00 A per motor */
#define CART_BATTERY_CURRENT_LIMIT 15000 /* 150.00 A */
#define CART_BATTERY_CUTOFF_CV 4480      /* 44.80 V: 16 LiFePO4 cells at 2.8 V */
#define CART_BATTERY_CUTOFF_SOC 50       /* 5.0 % */
#define CART_BATTERY_TEMP_MIN (-200)     /* -20.0 degC */
#define CART_BATTERY_TEMP_MAX 600        /* 60.0 degC */

typedef struct {
    uint8_t unit;
    uint32_t baudrate;
    uint8_t bits_per_char;
} cart_node_config_t;

typedef struct {
    uint16_t input[KAKASHI_CART_CONTROLLER_INPUT_COUNT];
    uint16_t holding[KAKASHI_CART_CONTROLLER_HOLDING_COUNT];
    uint8_t coils[(KAKASHI_CART_CONTROLLER_COIL_COUNT + 7u) / 8u];
    kk_map_t map; /* points into the arrays above: a node is never moved */
    kk_rtu_port_t port;
    bool button;          /* the mushroom button, as last read */
    bool bumper;          /* the bumper switch, as last read */
    bool bumper_latched;  /* estop_bumper: until a release finds it free */
    bool watchdog_latched;
    bool estop_latched;   /* estop_active */
    bool handheld;
    bool charger;
    bool still;
    uint32_t still_since_ms;
    uint32_t refreshed_ms;
    uint32_t target_written_ms;
    uint32_t gps_sent_ms;
    uint32_t odometer;
    int32_t drive_speed; /* what the drive was last told: it hears changes only */
    bool drive_estop;
} cart_node_t;

/* Reads every sensor once, tells the drive "stopped, speed 0", starts
 * serving. False for an invalid unit or line setting. */
bool cart_node_init(cart_node_t *node, const cart_node_config_t *config);

/* One pass of the main loop; returns the microseconds until it must run
 * again if no byte arrives. */
uint32_t cart_node_step(cart_node_t *node);

#ifdef __cplusplus
}
#endif

#endif
