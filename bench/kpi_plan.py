"""Writes the benchmark plan file: a published strategy of 5,000 KPIs (50 basic objectives of
100 numerical targets each) whose codes KPI-00000 … KPI-04999 are the keys of the sheet the
KPI benchmark program generates. Used by bench/kpi-import.sh and bench/kpi-dashboard.sh."""
import json
import sys


def kpis(o):
    return [{
        "id": f"kpi-{i:05d}", "code": f"KPI-{i:05d}", "title": f"指標{i}（人口千人当たりの件数）",
        "unit": "件", "direction": "higher", "indicator_type": "level",
        "baseline": {"value": "100", "year": 2014}, "target": {"value": "200", "year": 2024},
        "interim_targets": [], "tolerance": None, "cumulative_entry": "running_totals",
        "decimals": 1, "calculation_method": "", "data_source": "", "acquisition": "",
        "lag_years": None, "definition_changes": [], "department": f"課{i % 40}", "sample": True,
    } for i in range(o * 100, o * 100 + 100)]


plan = {"kind": "strategy", "id": "bench-senryaku", "title": "ベンチマーク市まち・ひと・しごと創生総合戦略",
        "purpose": "", "scope": "", "status": "published",
        "period": {"start": 2015, "end": 2024, "description": ""},
        "basic_objectives": [{"id": f"objective-{o}", "number": str(o + 1), "title": f"基本目標{o + 1}",
                              "description": "", "numerical_targets": kpis(o), "measures": [], "sample": True}
                             for o in range(50)]}
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump({"format": "keikaku-plan-file", "version": 2,
               "municipality": {"code": "011002", "name": "ベンチマーク市", "prefecture": "北海道"},
               "plans": [plan]}, f, ensure_ascii=False)
