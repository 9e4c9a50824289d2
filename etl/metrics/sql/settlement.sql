-- Spec 3.2: fee base, deductions and net fee of every dealer of the scope under contract in $year, as
-- of $as_of; money rounded to 2 decimals, the net fee from the unrounded figures.
SELECT * REPLACE (round(sales_amount, 2) AS sales_amount, round(fee_base, 2) AS fee_base,
                  round(missing_deduction, 2) AS missing_deduction, round(fake_penalty, 2) AS fake_penalty,
                  round(complaint_deduction, 2) AS complaint_deduction, round(net_fee, 2) AS net_fee)
FROM settlement_evaluation($year, $as_of) s
WHERE {{ scope }}
ORDER BY dealer_id
