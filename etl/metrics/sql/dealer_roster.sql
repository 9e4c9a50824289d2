-- Every dealer with the columns the filters choose by.
SELECT dealer_id, dealer_name, region, province, area_type, city FROM dealers ORDER BY dealer_id
