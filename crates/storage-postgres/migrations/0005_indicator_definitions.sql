-- What an indicator's definition carries besides its baseline and target (数値目標, KPI and,
-- from now on, the 成果指標 of a comprehensive plan's fields and measures, kind
-- 'outcome_indicator'). All nullable: rows written before this migration read as "not set".

-- 指標コード: the key departments' sheets use; unique within the plan when not empty
ALTER TABLE plan_element ADD COLUMN code TEXT;
-- display decimals (0-6)
ALTER TABLE plan_element ADD COLUMN decimals INTEGER;
-- 中間目標値, one line per fiscal year: "2021 105\n2023 108"
ALTER TABLE plan_element ADD COLUMN interim_targets TEXT;
-- 許容幅 (±) of a maintain-type indicator, an exact decimal as text
ALTER TABLE plan_element ADD COLUMN tolerance TEXT;
-- how a cumulative indicator's actuals are entered: 'running_totals' | 'yearly_amounts'
ALTER TABLE plan_element ADD COLUMN cumulative_entry TEXT;
-- 把握方法
ALTER TABLE plan_element ADD COLUMN acquisition TEXT;
-- years after the fiscal year until the value is known (e.g. 2 for a census value)
ALTER TABLE plan_element ADD COLUMN lag_years INTEGER;
-- 定義の変更, one line per fiscal year: "2021 調査方法を変更"
ALTER TABLE plan_element ADD COLUMN definition_changes TEXT;

CREATE INDEX plan_element_code ON plan_element (municipality_code, plan_id, code);
