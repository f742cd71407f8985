SELECT series, year, value
FROM data
WHERE value > 10
ORDER BY series, year
