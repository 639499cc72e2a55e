with monthly as (
    select * from monthly_counts
),

periods as (
    select
        measure,
        area_rank,
        area_type,
        area_code,
        area_name,
        sum(count) filter (
            where month between $period_start::date and $period_end::date
        )::bigint as count,
        sum(count) filter (
            where month between $baseline_start::date and $baseline_end::date
        )::bigint as baseline_count
    from monthly
    group by all
),

changes as (
    select
        *,
        count - baseline_count as change,
        baseline_count < $min_base as suppressed,
        -- 100 * change / baseline rounded half away from zero, in whole integers:
        -- |x| rounds to floor((2 * |n| + d) / (2 * d)) for x = n / d and d > 0.
        case
            when baseline_count > 0 and baseline_count >= $min_base
                then
                    sign(change) * ((200 * abs(change) + baseline_count) // (2 * baseline_count))
        end as change_pct,
        case
            when baseline_count > 0 and baseline_count >= $min_base
                then
                    sign(change) * ((20000 * abs(change) + baseline_count) // (2 * baseline_count))
        end as change_hundredths
    from periods
),

final as (
    select
        measure,
        area_rank,
        area_type,
        area_code,
        area_name,
        count,
        baseline_count,
        change,
        change_pct::bigint as change_pct,
        suppressed,
        case
            when change_hundredths is not null
                then
                    (case when change_hundredths < 0 then '-' else '' end)
                    || (abs(change_hundredths) // 100)::varchar
                    || '.'
                    || lpad((abs(change_hundredths) % 100)::varchar, 2, '0')
        end as change_pct_exact,
        case
            when change < 0 then 'decrease'
            when change > 0 then 'increase'
            else 'no_change'
        end as direction
    from changes
)

select * from final
order by measure, area_rank, area_code
