-- Dashboard card: how many statements are coded.
select count(*) as n from statements
