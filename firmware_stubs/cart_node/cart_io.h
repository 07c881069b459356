/* The cart node's sensors and outputs: the ids its platform's kk_hal
 * functions serve. Shared by the node, its GPS output and each platform. */
#ifndef CART_IO_H
#define CART_IO_H

/* Sensors (kk_hal_sensor_read ids) in their register's raw unit: volts and
 * amperes x 100, SOC and temperature x 10, speed cm/s, odometer 0.1 m,
 * payload 0.1 kg; switches 0/1 (a switch that cannot be read counts as
 * pressed or faulty: the safe reading); GNSS as kk_gnss_fix_t's units, date
 * as YYYYMMDD, time as UTC milliseconds since midnight. */
#define CART_SENSORS(X)                                                                    \
    X(CART_SENSOR_BATTERY_VOLTAGE, "battery_voltage")                                      \
    X(CART_SENSOR_BATTERY_CURRENT, "battery_current")                                      \
    X(CART_SENSOR_BATTERY_SOC, "battery_soc")                                              \
    X(CART_SENSOR_BATTERY_TEMPERATURE, "battery_temperature")                              \
    X(CART_SENSOR_MOTOR_LEFT_CURRENT, "motor_left_current")                                \
    X(CART_SENSOR_MOTOR_RIGHT_CURRENT, "motor_right_current")                              \
    X(CART_SENSOR_SPEED, "speed")                                                          \
    X(CART_SENSOR_ODOMETER, "odometer")                                                    \
    X(CART_SENSOR_PAYLOAD, "payload")                                                      \
    X(CART_SENSOR_ESTOP_BUTTON, "estop_button")                                            \
    X(CART_SENSOR_BUMPER, "bumper")                                                        \
    X(CART_SENSOR_HANDHELD, "handheld")                                                    \
    X(CART_SENSOR_CHARGER, "charger")                                                      \
    X(CART_SENSOR_MOTOR_LEFT_FAULT, "motor_left_fault")                                    \
    X(CART_SENSOR_MOTOR_RIGHT_FAULT, "motor_right_fault")                                  \
    X(CART_SENSOR_OBSTACLE_FAULT, "obstacle_fault")                                        \
    X(CART_SENSOR_GNSS_QUALITY, "gnss_quality")                                            \
    X(CART_SENSOR_GNSS_SATELLITES, "gnss_satellites")                                      \
    X(CART_SENSOR_GNSS_HDOP, "gnss_hdop")                                                  \
    X(CART_SENSOR_GNSS_LAT, "gnss_lat")                                                    \
    X(CART_SENSOR_GNSS_LON, "gnss_lon")                                                    \
    X(CART_SENSOR_GNSS_ALT, "gnss_alt")                                                    \
    X(CART_SENSOR_GNSS_SPEED, "gnss_speed")                                                \
    X(CART_SENSOR_GNSS_COURSE, "gnss_course")                                              \
    X(CART_SENSOR_GNSS_DATE, "gnss_date")                                                  \
    X(CART_SENSOR_GNSS_TIME, "gnss_time")

/* Outputs to the drive controller: the target speed (0.01 m/s) and the
 * e-stop (1: brake to a stop and stay there). */
#define CART_OUTPUTS(X)                                                                    \
    X(CART_OUTPUT_TARGET_SPEED, "target_speed")                                            \
    X(CART_OUTPUT_ESTOP, "estop")

#define CART_AS_ENUM(id, name) id,
enum cart_sensor { CART_SENSORS(CART_AS_ENUM) CART_SENSOR_COUNT };
enum cart_output { CART_OUTPUTS(CART_AS_ENUM) CART_OUTPUT_COUNT };

#endif
