#!/usr/bin/env python3
"""Prints a venue (POST /v1/venues body) with SECTIONS x ROWS x SEATS seats, for benchmarks."""
import json
import sys

sections, rows, seats = (int(a) for a in sys.argv[1:4])
layout = {"stage": {"x": 0, "y": 0}, "sections": [], "ga_areas": []}
for s in range(sections):
    layout["sections"].append({
        "id": f"S{s}", "name": f"Section {s}",
        "rows": [{"label": f"R{r}", "seats": [
            {"id": f"S{s}-R{r}-{n}", "label": str(n), "x": s * (seats + 2) + n, "y": r + 1}
            for n in range(seats)]} for r in range(rows)]})
json.dump({"name": "Benchmark Stadium", "city": "Los Angeles", "country": "US",
           "timezone": "America/Los_Angeles", "lat": 34.0, "lon": -118.2, "layout": layout},
          sys.stdout)
