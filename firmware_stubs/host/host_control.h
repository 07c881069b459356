/* The control channel of a host node: one command per stdin line, one
 * answer per stdout line, so a test waits for answers instead of sleeping.
 *   set NAME VALUE   a sensor reads VALUE (raw register units) -> "ok set NAME VALUE"
 *   fail NAME        a sensor stops answering                  -> "ok fail NAME"
 *   stats            the slave's counters                      -> "stats KEY=VALUE ..."
 * Anything else -> "error ...". */
#ifndef HOST_CONTROL_H
#define HOST_CONTROL_H

#include <stdbool.h>

#include "kk_rtu_port.h"

/* Applies one command line (without its newline). */
void host_control_line(const char *line, const kk_rtu_port_t *port);

/* Sets a sensor from "NAME=VALUE" (the --set option); false if invalid. */
bool host_control_assign(const char *assignment);

/* Marks a sensor as not answering; false for an unknown name. */
bool host_control_fail(const char *name);

void host_control_print_stats(const kk_rtu_port_t *port);

#endif
