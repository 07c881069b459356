"""Field tools: commands a technician runs against one device, outside the service."""
