-- Personal values (the registered table _personal_values: personal_column, value) with each one's mask:
-- phones and names by their masks, other personal columns hidden whole ($hidden).
SELECT personal_column, value,
       CASE personal_column WHEN 'customer_phone' THEN {{ phone }}
                            WHEN 'customer_name' THEN {{ name }}
                            ELSE $hidden END AS masked
FROM _personal_values
